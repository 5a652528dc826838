/**
 * Rules about what this build can run, kept apart from the schema: the schema accepts every mode
 * name (they are the interface), but only some have a load generator yet.
 */
import type { IssueAt } from './errors';
import { WORKLOAD_MODES, type Config, type WorkloadMode } from './schema';

export const SUPPORTED_MODES: readonly WorkloadMode[] = ['server', 'concurrency'];

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
  // The key is part of the interface (DESIGN.md); attaching to an external server is not built yet.
  if (config?.serving?.endpoint !== undefined) {
    issues.push({
      path: ['serving', 'endpoint'],
      message: 'external KServe v2 endpoints are not supported yet; remove it to use the built-in server',
    });
  }
  return issues;
}
