/** What `servebench validate` says about a config's LLM jobs (serving.api openai-*): what each sends, in words. */
import { basename } from 'node:path';
import { isGgufPath } from '../configs/llm-rules';
import type { Job } from '../configs/matrix';
import { isLlmApi, type Config } from '../configs/schema';
import type { TokenCountSpec } from '../activities/inputs/prompt-lengths';

const tokens = (spec: TokenCountSpec): string =>
  typeof spec === 'number'
    ? `${spec}`
    : `mean ${spec.mean}${spec.stdev ? ` stdev ${spec.stdev}` : ''}${spec.min !== undefined ? ` min ${spec.min}` : ''}${spec.max !== undefined ? ` max ${spec.max}` : ''}`;

/** One line per distinct kind of LLM request among the jobs, with how many jobs send it; [] without LLM jobs. */
export function describeLlmJobs(jobs: Job[]): string[] {
  const lines = new Map<string, number>();
  for (const job of jobs) {
    if (job.repeat !== 0 || !isLlmApi(job.config.serving.api)) continue;
    const line = describeLlmJob(job.config);
    lines.set(line, (lines.get(line) ?? 0) + 1);
  }
  return [...lines].map(([line, n]) => `  ${n} job${n === 1 ? '' : 's'}: ${line}`);
}

function describeLlmJob(c: Config): string {
  const p = c.workload.prompts!;
  const server = c.serving.endpoint !== undefined ? `${c.serving.endpoint} (model "${c.serving.model}")` : c.serving.system === 'builtin' ? 'the built-in LLM server' : `serving.system ${c.serving.system}`;
  const what = p.file !== undefined
    ? `prompts from ${basename(p.file)}${p.outputTokens !== undefined ? `, output tokens ${tokens(p.outputTokens)}` : ''}`
    : `synthetic prompts of ${tokens(p.inputTokens!)} input tokens${p.sharedPrefix ? ` after a shared prefix of ${p.sharedPrefix}` : ''}, output tokens ${tokens(p.outputTokens!)}`;
  const counted = isGgufPath(c.model.path) ? `counted with ${basename(c.model.path!)}'s tokenizer` : 'lengths approximated by words (no local GGUF model: the server\'s usage counts)';
  return `${c.serving.api} to ${server}, ${c.workload.stream === false ? 'not streamed' : 'streamed'}; ${what}${p.ignoreEos ? ', ignore_eos' : ''}; ${counted}`;
}
