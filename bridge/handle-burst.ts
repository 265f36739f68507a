import type { CampaignType } from '../contract/campaigns';
import type { CustomerEvent } from '../contract/events';
import type { JourneyClient } from '../platform/temporal/journeys';
import { isJourneyRoute, routeEvent, type JourneyRoute, type RoutingContext } from './routes';

/** What became of each event of a burst, journey by journey. */
export type BurstResult = Array<{ event: CustomerEvent; actions: Array<JourneyRoute & { effect: string }> }>;

/**
 * Delivers a burst (one customer's consecutive events that only start or signal journeys) with one
 * call per journey instead of one per event and journey. Per campaign, the events are delivered in
 * their order: those before the first one that may start a journey go only to a running journey,
 * exactly as they would one by one; from that one on, they start the journey or signal it.
 * Journeys of different campaigns are independent and are called at once.
 */
export async function handleBurst(
  journeys: JourneyClient,
  events: readonly CustomerEvent[],
  context: RoutingContext,
): Promise<BurstResult> {
  const result: BurstResult = events.map((event) => ({ event, actions: [] }));
  const byCampaign = new Map<CampaignType, Array<{ index: number; route: JourneyRoute }>>();
  events.forEach((event, index) => {
    for (const route of routeEvent(event, context).filter(isJourneyRoute)) {
      const routed = byCampaign.get(route.campaign) ?? [];
      routed.push({ index, route });
      byCampaign.set(route.campaign, routed);
    }
  });
  await Promise.all(
    [...byCampaign].map(async ([campaign, routed]) => {
      const firstStart = routed.findIndex(({ route }) => route.kind === 'startOrSignal');
      const onlyIfRunning = firstStart < 0 ? routed : routed.slice(0, firstStart);
      const startingOrSignalling = firstStart < 0 ? [] : routed.slice(firstStart);
      const eventsOf = (group: typeof routed) =>
        group.map(({ index }) => events[index]!) as [CustomerEvent, ...CustomerEvent[]];
      if (onlyIfRunning.length > 0) {
        const delivered = await journeys.signalAllIfRunning(campaign, eventsOf(onlyIfRunning));
        for (const { index, route } of onlyIfRunning)
          result[index]!.actions.push({ ...route, effect: delivered ? 'delivered' : 'no running journey' });
      }
      if (startingOrSignalling.length > 0) {
        await journeys.startOrSignalAll(campaign, eventsOf(startingOrSignalling));
        for (const { index, route } of startingOrSignalling)
          result[index]!.actions.push({ ...route, effect: 'delivered' });
      }
    }),
  );
  return result;
}
