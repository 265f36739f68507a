import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeRegistrations } from '../../platform/temporal/search-attributes';
import { installRuntimeOnce } from './runtime';

let launcherChecked = false;

/** The launcher of Temporal's time-skipping test server (Java, from Maven Central), installed on first use. */
function testServerLauncher(): string {
  const path = () => execFileSync('bash', ['infra/temporal-test-server.sh', 'path'], { encoding: 'utf8' }).trim();
  if (!launcherChecked && !existsSync(path()))
    execFileSync('bash', ['infra/temporal-test-server.sh', 'install'], { stdio: 'inherit' });
  launcherChecked = true;
  return path();
}

/** Temporal's time-skipping test server, with the journeys' search attributes registered. Days pass in seconds. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const launcher = testServerLauncher();
  await installRuntimeOnce();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: launcher } },
  });
  // The Java test server cannot list search attributes, only add them.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: searchAttributeRegistrations(),
  });
  return env;
}
