import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROMETHEUS_DIR, promtool } from '../../support/prometheus';

/** The alert names of a rules file: its `- alert: Name` lines. */
function alertNames(rules: string): string[] {
  return [...rules.matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)].map((match) => match[1]!);
}

/** Each `alert_rule_test` item of a promtool test file: its alert and whether it expects it to fire. */
function ruleTestCases(tests: string): Array<{ alertname: string; fires: boolean }> {
  const items = tests.split(/^\s*- alertname:\s*/m).slice(1);
  return items.map((item) => ({
    alertname: /^(\S+)/.exec(item)![1]!,
    fires: !/^\s*exp_alerts:\s*\[\]\s*$/m.test(item.split(/^\s*- name:/m)[0]!),
  }));
}

const read = (file: string) => readFileSync(join(PROMETHEUS_DIR, file), 'utf8');

describe('the Prometheus configuration and alert rules', () => {
  it('passes promtool check config, for the local stack (with a token file) and for compose (syntax)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prometheus-config-'));
    try {
      for (const file of ['prometheus.yml', 'alerts.yml']) copyFileSync(join(PROMETHEUS_DIR, file), join(dir, file));
      writeFileSync(join(dir, 'admin-token'), 'a-dummy-admin-token');
      const local = promtool(['check', 'config', 'prometheus.yml'], dir);
      assert.equal(local.status, 0, local.output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const compose = promtool(['check', 'config', '--syntax-only', 'prometheus.compose.yml']);
    assert.equal(compose.status, 0, compose.output);
  });

  it('passes promtool check rules', () => {
    const check = promtool(['check', 'rules', 'alerts.yml']);
    assert.equal(check.status, 0, check.output);
  });

  it('passes promtool test rules', () => {
    const test = promtool(['test', 'rules', 'alerts.test.yml']);
    assert.equal(test.status, 0, test.output);
  });

  it('tests every alert both firing and quiet', () => {
    const alerts = alertNames(read('alerts.yml'));
    assert.ok(alerts.length >= 8, `only ${alerts.length} alerts read from alerts.yml`);
    const cases = ruleTestCases(read('alerts.test.yml'));
    for (const alert of alerts) {
      assert.ok(
        cases.some((c) => c.alertname === alert && c.fires),
        `no test of ${alert} firing`,
      );
      assert.ok(
        cases.some((c) => c.alertname === alert && !c.fires),
        `no test of ${alert} staying quiet`,
      );
    }
    const unknown = cases.filter((c) => !alerts.includes(c.alertname)).map((c) => c.alertname);
    assert.deepEqual(unknown, [], 'alerts.test.yml tests alerts that alerts.yml does not define');
  });

  it('links every alert to its runbook section in docs/OPERATIONS.md', () => {
    const rules = read('alerts.yml');
    for (const alert of alertNames(rules))
      assert.match(rules, new RegExp(`runbook: "docs/OPERATIONS.md#${alert.toLowerCase()}"`), alert);
  });
});
