import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cancelJourneySignal, journeyStateQuery, journeyWorkflowId } from '../../contract/journeys';
import { TestApp } from '../support/app';
import { BridgeProcess } from '../support/bridge-process';
import { eventually, runId, sleep, stackEnv } from '../support/services';

const PARTITIONS = 6;
/** Longer than the default 10 s session, and than one Temporal client call to a dead server (~20 s). */
const OUTAGE_MS = 25_000;

/** A TCP relay to Temporal that the test can cut and restore, so the shared Temporal server keeps running. */
class CuttableRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    if (this.server) return;
    const [host, port] = stackEnv.temporal.split(':');
    const server = createServer((client) => {
      const upstream = connect(Number(port), host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/**
 * With the bridge's 10 s consumer-group session, a Temporal outage longer than the session must not
 * cost the bridge its partitions: a message held and retried is consumed once, never handed to a
 * rejoin and consumed again.
 */
describe('bridge holding messages through a Temporal outage longer than its session', () => {
  const app = new TestApp(
    'session-outage',
    { CAMPAIGN_SETTINGS: JSON.stringify({ 'browse-abandonment': { emailDelay: '1 day' } }) },
    { inProcessBridge: false },
  );
  const relay = new CuttableRelay();

  before(async () => {
    await app.start();
    await relay.open();
  });
  after(async () => {
    await relay.cut();
    await app.stop();
  });

  it('keeps its partitions and consumes each held message once', async () => {
    const bridge = new BridgeProcess('session-outage', {
      ...app.bridgeEnv,
      TEMPORAL_ADDRESS: `127.0.0.1:${relay.port}`,
    });
    await bridge.start();
    const customers = Array.from({ length: PARTITIONS }, (_, partition) => `session-outage-${partition}-${runId}`);
    try {
      await relay.cut();
      await app.produceRaw(
        customers.map((customerId, partition) => ({
          partition,
          key: customerId,
          value: JSON.stringify({
            eventId: `view-${customerId}`,
            type: 'product.viewed',
            customerId,
            occurredAt: new Date().toISOString(),
            properties: { productId: 'p1', name: 'held' },
          }),
        })),
      );
      await eventually(
        'the bridge to hold and retry',
        () => bridge.metric('bridge_event_retries_total'),
        (retries) => retries > 0,
        30_000,
      );
      await sleep(OUTAGE_MS);
      await relay.open();
      await app.waitUntilConsumed(120_000);

      const consumed = await bridge.metric('bridge_events_consumed_total');
      console.log(
        `outage of ${OUTAGE_MS / 1000} s: ${consumed} consumptions for ${PARTITIONS} messages, ` +
          `${await bridge.metric('bridge_event_retries_total')} retries`,
      );
      assert.equal(
        consumed,
        PARTITIONS,
        'a held message was consumed again: the bridge lost its partitions during the outage',
      );
      for (const customerId of customers) {
        const state = await app.client.workflow
          .getHandle(journeyWorkflowId('browse-abandonment', customerId))
          .query(journeyStateQuery);
        assert.deepEqual(
          state.timeline.filter((entry) => entry.text.startsWith('viewed ')).map((entry) => entry.text),
          ['viewed held'],
          customerId,
        );
      }
    } finally {
      await relay.open().catch(() => undefined);
      await bridge.stop('SIGTERM');
      for (const customerId of customers) {
        await app.client.workflow
          .getHandle(journeyWorkflowId('browse-abandonment', customerId))
          .signal(cancelJourneySignal, { reason: 'test cleanup' })
          .catch(() => undefined);
      }
    }
  });
});
