/**
 * workload.prompts.file before anything starts (servebench validate / run, the sweep's plan): the file must parse
 * and each entry must suit the job's serving.api and output lengths. Issues at workload.prompts.file, naming the
 * file and line. Each file is read once per checker.
 */
import type { IssueAt } from '../../configs/errors';
import { isLlmApi, type Config } from '../../configs/schema';
import { readPromptFile } from './prompt-file-read';
import { FILE_REQUESTS, promptEntryProblem, type LlmApi, type ParsedPromptFile } from './prompts';

export function promptFileCheck(): (job: Config) => IssueAt[] {
  const read = new Map<string, ParsedPromptFile | Error>();
  return (job) => {
    const file = job.workload.prompts?.file;
    if (file === undefined || !isLlmApi(job.serving.api)) return [];
    const parsed = read.get(file) ?? read.set(file, tryRead(file)).get(file)!;
    const at = (message: string): IssueAt[] => [{ path: ['workload', 'prompts', 'file'], message }];
    if (parsed instanceof Error) return at(parsed.message);
    const given = job.workload.prompts?.outputTokens !== undefined;
    for (const e of parsed.parsed.entries.slice(0, FILE_REQUESTS)) {
      const problem = promptEntryProblem(e, job.serving.api as LlmApi, given);
      if (problem) return at(`${file}: ${problem}`);
    }
    return [];
  };
}

function tryRead(file: string): ParsedPromptFile | Error {
  try {
    return readPromptFile(file);
  } catch (e) {
    return e as Error;
  }
}
