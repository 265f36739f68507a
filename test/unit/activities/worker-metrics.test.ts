import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CANCELLED_REASON } from '../../../activities/delivery';
import { skipClassOf } from '../../../activities/worker-metrics';
import { CAPPED_REASON } from '../../../platform/db/delivery-ledger';
import { suppressedReason } from '../../../platform/db/suppressions';
import { documentedMetrics, missingFromScrape, parseExposition } from '../../support/documented-metrics';

describe('worker metrics', () => {
  it('classes every skip reason the ledger records into a bounded set', () => {
    assert.equal(skipClassOf('no email address on the profile'), 'no_address');
    assert.equal(skipClassOf('no sms consent'), 'no_consent');
    assert.equal(skipClassOf(suppressedReason({ reason: 'hard_bounce', source: 'provider' })), 'suppressed');
    assert.equal(skipClassOf(CAPPED_REASON), 'frequency_cap');
    assert.equal(skipClassOf(CANCELLED_REASON), 'cancelled');
    assert.equal(skipClassOf('skipped: SMS is not configured'), 'not_configured');
    assert.equal(skipClassOf('a wording nobody classed'), 'other');
  });
});

describe('the documented-metrics check', () => {
  const doc = [
    '## Worker',
    '| Metric | Type | Labels | Meaning |',
    '| --- | --- | --- | --- |',
    '| `sends_total` | counter | `channel`, `result` | Sends. |',
    '| `wait_seconds` | histogram | — | Waits. |',
    '## Campaign report gauges (admin)',
    '| `campaign_things` | gauge | `campaign` | Things. |',
  ].join('\n');

  it('reads each row: its process (by title or parentheses), name, type and label names', () => {
    assert.deepEqual(documentedMetrics(doc), [
      { process: 'worker', name: 'sends_total', type: 'counter', labels: ['channel', 'result'] },
      { process: 'worker', name: 'wait_seconds', type: 'histogram', labels: [] },
      { process: 'admin', name: 'campaign_things', type: 'gauge', labels: ['campaign'] },
    ]);
  });

  it('documents metrics for every process in docs/METRICS.md', () => {
    const processes = new Set(documentedMetrics().map((metric) => metric.process));
    assert.deepEqual([...processes].sort(), ['admin', 'bridge', 'tracking', 'worker']);
  });

  it('parses label values with escaped quotes, commas and braces', () => {
    assert.deepEqual(parseExposition('# HELP x y\nx{a="1,2",b="say \\"hi\\" {}"} 3\ny 4.5'), [
      { name: 'x', labels: { a: '1,2', b: 'say \\"hi\\" {}' }, value: 3 },
      { name: 'y', labels: {}, value: 4.5 },
    ]);
  });

  const served = [
    'sends_total{channel="email",result="sent"} 1',
    'wait_seconds_bucket{le="1"} 1',
    'wait_seconds_bucket{le="+Inf"} 1',
    'wait_seconds_sum 0.5',
    'wait_seconds_count 1',
  ].join('\n');

  it('finds nothing missing when every documented metric is served with its labels', () => {
    assert.deepEqual(missingFromScrape('worker', served, {}, doc), []);
  });

  it('names a metric served with other labels, one not served, and an excuse for an undocumented one', () => {
    const scrape = served.replace('result="sent"', 'outcome="sent"').replace(/^wait_seconds_sum.*$/m, '');
    assert.deepEqual(missingFromScrape('worker', scrape, { typo_total: 'never' }, doc), [
      'typo_total: excused as not yet produced, but docs/METRICS.md does not document it for worker',
      'sends_total: no sample labelled {channel,result}; served: {channel,outcome}',
      'wait_seconds_sum: not served',
    ]);
  });

  it('refuses an excuse for a metric that is served after all', () => {
    assert.deepEqual(missingFromScrape('worker', served, { sends_total: 'nothing sent' }, doc), [
      'sends_total: excused as not yet produced (nothing sent), but it is served: check it',
    ]);
  });

  it('requires no metric the scenario only sometimes produces, and checks it when it is served', () => {
    const sometimes = { wait_seconds: 'only when something waited' };
    const withoutWaits = served.replace(/^wait_seconds.*$/gm, '');
    assert.deepEqual(missingFromScrape('worker', withoutWaits, {}, doc, sometimes), []);
    const mislabelled = served.replace(/^wait_seconds_count 1$/m, 'wait_seconds_count{step="1"} 1');
    assert.deepEqual(missingFromScrape('worker', mislabelled, {}, doc, sometimes), [
      'wait_seconds_count: no sample labelled {}; served: {step}',
    ]);
    assert.deepEqual(missingFromScrape('worker', served, {}, doc, { typo_total: 'sometimes' }), [
      'typo_total: excused as not yet produced, but docs/METRICS.md does not document it for worker',
    ]);
  });
});
