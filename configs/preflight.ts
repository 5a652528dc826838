/**
 * What is checked before anything starts, beyond the schema: `servebench validate`, `servebench run` and the
 * sweep's plan activity all pass these checks to the config loader (loadConfig / parseConfig / revalidateConfig
 * `checks`), which runs them on every job and points each issue at its YAML line or sweep value.
 */
import { modelLimitIssues } from '../activities/compile/model-limits';
import { modelPreflight } from '../activities/compile/preflight';
import { promptFileCheck } from '../activities/inputs/prompt-file-check';
import { loadLimitIssues, type HostFacts } from '../activities/loadgen/limits';
import { probeHostFacts } from '../activities/probe/host-limits';
import type { IssueAt } from './errors';
import type { JobCheck } from './load';
import type { Config } from './schema';

/** The checks of one job on a host with `host`'s facts (this host's by default). */
export function preflightChecks(host: HostFacts = probeHostFacts()): JobCheck {
  const models = modelPreflight(); // model files and their inputs against the config
  const prompts = promptFileCheck(); // LLM prompt files against the job's api
  return (job: Config): IssueAt[] => {
    const issues: IssueAt[] = [];
    issues.push(...loadLimitIssues(job, host));
    issues.push(...modelLimitIssues(job, host));
    issues.push(...models(job));
    issues.push(...prompts(job));
    return issues;
  };
}
