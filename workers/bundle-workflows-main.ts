import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowTracingInterceptorsModule } from '../platform/tracing/temporal';

/** Child process of bundleWorkflowsInChild: bundles workflows/ (traced: --tracing) and writes the code to argv[2]. */
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    workflowInterceptorModules: process.argv.includes('--tracing') ? [workflowTracingInterceptorsModule] : [],
  });
  writeFileSync(process.argv[2]!, code);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
