import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const SCRIPT = join(__dirname, '../../../infra/compose-check.sh');
const EXPECTED = [
  'postgres',
  'kafka',
  'temporal',
  'mailpit',
  'provision',
  'app-worker',
  'app-bridge',
  'app-admin',
  'app-tracking',
  'jaeger',
  'prometheus',
  'grafana',
];

/** Runs the compose-go checker (built once by the script; it fails with what to install when Go is missing). */
function composeCheck(file?: string): { status: number | null; services: Map<string, string[]>; output: string } {
  const run = spawnSync('bash', [SCRIPT, ...(file ? [file] : [])], { encoding: 'utf8', timeout: 300_000 });
  const services = new Map<string, string[]>();
  for (const line of run.stdout.split('\n')) {
    if (!/^[a-z0-9][a-z0-9_.-]*( |$)/.test(line)) continue; // the script's own [infra] lines
    const [name, ...ports] = line.trim().split(' ');
    services.set(name!, ports);
  }
  return { status: run.status, services, output: `${run.stdout}${run.stderr}` };
}

describe('docker-compose.yml, read by compose-go (the parser of Docker Compose)', () => {
  it('loads and validates, with every service of the stack and every port published on 127.0.0.1 only', () => {
    const { status, services, output } = composeCheck();
    assert.equal(status, 0, output);
    for (const name of EXPECTED) assert.ok(services.has(name), `no ${name} service in:\n${output}`);
    const published = [...services].flatMap(([name, ports]) => ports.map((port) => `${name} ${port}`));
    assert.ok(published.length >= 8, output);
    assert.deepEqual(
      published.filter((port) => !/^\S+ 127\.0\.0\.1:\d+->\d+\/(tcp|udp)$/.test(port)),
      [],
      'ports published beyond 127.0.0.1',
    );
  });

  it('rejects a compose file the specification does not allow', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-check-'));
    try {
      const file = join(dir, 'docker-compose.yml');
      writeFileSync(file, 'services:\n  web:\n    image: nginx\n    portz: ["8080:80"]\n');
      const { status, output } = composeCheck(file);
      assert.notEqual(status, 0, output);
      assert.match(output, /portz/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
