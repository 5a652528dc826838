/**
 * Build step: bundles the workflow code once (webpack), so workers start in seconds instead of bundling
 * at every start. Run by `npm run build`; workers fall back to bundling at start when the file is missing.
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { WORKFLOW_BUNDLE, WORKFLOWS_PATH } from './workflow-code';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  writeFileSync(WORKFLOW_BUNDLE, code);
  console.log(`workflow bundle: ${WORKFLOW_BUNDLE} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
