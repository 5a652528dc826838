/**
 * Rules about what this build can run, kept apart from the schema: the schema accepts every mode
 * name (they are the interface), but only some have a load generator yet.
 */
import type { IssueAt } from './errors';
import { llmConfigIssues } from './llm-rules';
import { servingSystemIssues } from './serving-systems';
import { WORKLOAD_MODES, type Config, type WorkloadMode } from './schema';

export const SUPPORTED_MODES: readonly WorkloadMode[] = ['server', 'concurrency', 'single-stream', 'constant', 'burst', 'offline', 'trace', 'progressive'];

/**
 * Issues that make a schema-valid config unrunnable today; empty when it can run. Defensive about
 * shape (the loader also runs it on configs that failed the schema, to report everything at once).
 */
export function validateConfig(config: Config): IssueAt[] {
  const issues: IssueAt[] = [];
  const mode: unknown = config?.workload?.mode;
  // A mode name the schema rejects is the schema's to report.
  if (WORKLOAD_MODES.includes(mode as WorkloadMode) && !SUPPORTED_MODES.includes(mode as WorkloadMode)) {
    issues.push({
      path: ['workload', 'mode'],
      message: `mode "${mode}" is not supported yet; supported: ${SUPPORTED_MODES.join(', ')}`,
    });
  }
  // An external endpoint serves many models: say which one. serving.model means nothing without it.
  const serving = config?.serving;
  if (serving?.endpoint !== undefined && serving.model === undefined) {
    issues.push({ path: ['serving', 'endpoint'], message: 'needs serving.model: the name of the model to benchmark on that server' });
  }
  if (serving?.model !== undefined && serving.endpoint === undefined) {
    issues.push({ path: ['serving', 'model'], message: 'only applies with serving.endpoint (the built-in server serves the compiled model)' });
  }
  issues.push(...servingSystemIssues(config));
  issues.push(...llmConfigIssues(config));
  return issues;
}
