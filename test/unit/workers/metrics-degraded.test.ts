import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { register } from 'prom-client';
import { countMessage } from '../../../activities/worker-metrics';
import { createDb } from '../../../platform/db/database';
import { createLogger } from '../../../platform/logger';
import { serveLedgerGauges } from '../../../workers/ledger-gauges';
import { temporalSdkMetrics } from '../../../workers/sdk-metrics';

function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { lines, logger: createLogger('metrics-degraded-test', 'info', sink) };
}

describe("the worker's /metrics when a source fails", () => {
  // Nothing listens on port 1: every query is refused at once.
  const db = createDb('postgres://nobody:nothing@127.0.0.1:1/none', 1);
  after(async () => {
    await db.destroy();
  });

  it('serves the other metrics without the ledger gauges, and logs the outage once', async () => {
    const { lines, logger } = capturingLogger();
    const stop = serveLedgerGauges(db, logger);
    countMessage({ campaign: 'cart-abandonment', step: 'reminder-1', channel: 'email', result: 'sent' });
    try {
      for (let scrape = 0; scrape < 2; scrape += 1) {
        const text = await register.metrics();
        assert.match(
          text,
          /^messages_total\{campaign="cart-abandonment",step="reminder-1",channel="email",result="sent"\} 1$/m,
        );
        assert.doesNotMatch(text, /^delivery_ledger_rows\{/m);
        assert.doesNotMatch(text, /^delivery_status_rows\{/m);
      }
    } finally {
      stop();
    }
    const warnings = lines.filter((line) => line.msg.includes('ledger gauges cannot read PostgreSQL'));
    assert.equal(warnings.length, 1, JSON.stringify(lines));
  });

  it("serves nothing of the Temporal SDK's when its exporter is not there, and says so once", async () => {
    const { lines, logger } = capturingLogger();
    const appendix = temporalSdkMetrics(logger);
    assert.equal(await appendix(), '');
    assert.equal(await appendix(), '');
    assert.equal(lines.filter((line) => line.msg.includes("Temporal SDK's metrics cannot be read")).length, 1);
  });
});
