import type { z } from 'zod';
import type { CustomerEvent, EventOf, EventType } from '../events';
import type { JourneyMechanics } from '../settings/types';
import type { TemplateId } from '../templates';

/** Events of a type that a rule takes: those its predicate accepts, given the campaign's settings. */
export type EventRules<Settings> = { [T in EventType]?: (event: EventOf<T>, settings: Settings) => boolean };

export const always = (): boolean => true;

/** What an entry event is given besides the start body: its identity and its time. */
export interface EntryMeta {
  eventId: string;
  /** ISO-8601, UTC. */
  occurredAt: string;
}

/**
 * One campaign as everything outside its workflow sees it: the bridge routes by it, the settings
 * are validated and defaulted by it, the admin API and its OpenAPI document start journeys by it,
 * the demo and the Web UI name it. Registered once, in contract/campaigns/index.ts.
 */
export interface CampaignDefinition<
  Type extends string,
  Settings extends JourneyMechanics,
  Overrides extends z.ZodRawShape,
  StartFields extends z.ZodRawShape,
> {
  type: Type;
  /** The name its workflow function is exported under from workflows/index.ts. */
  workflowType: string;
  /** "Cart abandonment": the journeys' summary in the Web UI is "<title> journey for customer …". */
  title: string;
  /** "cart journey": how the demo's story names it. */
  label: string;
  /** Events that start the customer's journey, or feed the running one (signal-with-start). */
  startsOn: EventRules<Settings>;
  /**
   * Events a running journey is told of, when they do not start one. Unsubscribes reach every
   * journey without being listed: the engine ends a journey on an unsubscribe from everything.
   */
  signals: EventRules<Settings>;
  settings: {
    /** The product defaults; durations in milliseconds. */
    defaults: Settings;
    /** The campaign's own overrides, as people write them (beside the mechanics every campaign takes). */
    overrides: Overrides;
    /** Which overrides are durations, given to the workflow as `<name>Ms`. */
    durations: ReadonlyArray<keyof Overrides & string>;
  };
  /** An operator's start (POST /campaigns/{campaign}/journeys) and the entry event it stands for. */
  start: {
    /** The start body's fields beside `customerId` and `overrides`. */
    fields: StartFields;
    entryEvent: (body: StartBodyOf<StartFields>, meta: EntryMeta) => CustomerEvent;
    /** Why this start must be refused under these settings (a churn score under the threshold), if it must. */
    refusal?: (body: StartBodyOf<StartFields>, settings: Settings) => StartRefusal | undefined;
    /** When a start is refused, for the API's documentation. */
    refusedWhen?: string;
  };
  /** Every template its journeys send (and operators may test-send). */
  templates: readonly [TemplateId, ...TemplateId[]];
  /**
   * Its steps as its workflow sends them, in order: what a variant of a step may change (its
   * channel, its template, its delay) is checked against them, and reports are broken down by them.
   */
  steps: readonly [StepDefinition<Overrides>, ...Array<StepDefinition<Overrides>>];
  /** The longest a journey can wait in all, from its entry to its last step. */
  span: (settings: Settings) => number;
}

/** One step of a campaign, as its workflow sends it. */
export interface StepDefinition<Overrides extends z.ZodRawShape> {
  /** The step's name in the delivery ledger and its idempotency keys ("reminder-1"). */
  name: string;
  /** The channels it tries, in order: the first that can reach the customer is used. */
  channels: readonly [Channel, ...Channel[]];
  /** The duration setting the step waits for, which a variant's `delay` replaces (none: sent at once). */
  delay?: keyof Overrides & string;
}

export type Channel = 'email' | 'sms';

/** An operator's start refused with 422: a code, the body field at fault, and why. */
export interface StartRefusal {
  code: string;
  field: string;
  message: string;
}

export type StartBodyOf<StartFields extends z.ZodRawShape> = { customerId: string } & z.output<
  z.ZodObject<StartFields>
>;

/** Keeps a definition's literal type and lets its settings type be inferred from its defaults. */
export function defineCampaign<
  const Type extends string,
  Settings extends JourneyMechanics,
  Overrides extends z.ZodRawShape,
  StartFields extends z.ZodRawShape,
>(
  definition: CampaignDefinition<Type, Settings, Overrides, StartFields>,
): CampaignDefinition<Type, Settings, Overrides, StartFields> {
  return definition;
}
