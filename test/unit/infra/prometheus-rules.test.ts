import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { PROMETHEUS_DIR, promtool } from '../../support/prometheus';

interface RulesFile {
  groups: Array<{ rules: Array<{ alert?: string; annotations?: Record<string, string> }> }>;
}
interface RuleTestsFile {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

/** Every alerting rule of alerts.yml, with its annotations. */
function alertRules(): Array<{ alert: string; annotations: Record<string, string> }> {
  return (parse(read('alerts.yml')) as RulesFile).groups.flatMap((group) =>
    group.rules.flatMap((rule) => (rule.alert ? [{ alert: rule.alert, annotations: rule.annotations ?? {} }] : [])),
  );
}

/** Each `alert_rule_test` case of the promtool test file: its alert and whether it expects it to fire. */
function ruleTestCases(): Array<{ alertname: string; fires: boolean }> {
  return (parse(read('alerts.test.yml')) as RuleTestsFile).tests.flatMap((test) =>
    (test.alert_rule_test ?? []).map((item) => ({
      alertname: item.alertname,
      fires: (item.exp_alerts ?? []).length > 0,
    })),
  );
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
    const alerts = alertRules().map((rule) => rule.alert);
    assert.ok(alerts.length >= 8, `only ${alerts.length} alerts read from alerts.yml`);
    const cases = ruleTestCases();
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

  it('links every alert to its runbook, a section of docs/OPERATIONS.md named after it', () => {
    const operations = readFileSync(join(__dirname, '../../../docs/OPERATIONS.md'), 'utf8');
    const sections = new Set([...operations.matchAll(/^### (\S+)$/gm)].map((match) => match[1]!.toLowerCase()));
    for (const { alert, annotations } of alertRules()) {
      assert.equal(annotations.runbook, `docs/OPERATIONS.md#${alert.toLowerCase()}`, `${alert}'s runbook link`);
      assert.ok(sections.has(alert.toLowerCase()), `docs/OPERATIONS.md has no "### ${alert}" section`);
      assert.ok(annotations.summary && annotations.description, `${alert} has no summary or description`);
    }
  });
});
