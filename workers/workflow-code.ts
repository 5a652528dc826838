/** Where the workflow code is: a prebuilt bundle from `npm run build` when present, else the sources. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

export const WORKFLOWS_PATH = require.resolve('../workflows');
export const WORKFLOW_BUNDLE = join(__dirname, '..', 'workflow-bundle.js');

export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  // Under ts-jest __dirname is the source tree, where no bundle is built: bundle from source then.
  return existsSync(WORKFLOW_BUNDLE) && WORKFLOWS_PATH.endsWith('.js')
    ? { workflowBundle: { codePath: WORKFLOW_BUNDLE } }
    : { workflowsPath: WORKFLOWS_PATH };
}
