/** `servebench validate CONFIG`: check a config without starting anything. */
import { expandAndValidate, loadConfig } from '../../configs/load';
import { ConfigError } from '../../configs/errors';
import { expandSweep } from '../../configs/matrix';
import { preflightChecks } from '../../configs/preflight';
import { settingsOf } from '../../configs/settings';
import { CliError, EXIT } from '../exit-codes';
import { describeLlmJobs } from '../llm-summary';

export function validateCommand(file: string, opts: { settings?: boolean } = {}): number {
  try {
    const config = loadConfig(file, { checks: preflightChecks() });
    if (opts.settings) {
      // What each combination's runs will use, as runs.settings will hold it (its repeats use the same).
      const combos = expandAndValidate(config, file)
        .filter((j) => j.repeat === 0)
        .map((j) => ({ job: j.index, params: j.params, settings: settingsOf(j.config) }));
      process.stdout.write(`${JSON.stringify(combos, null, 2)}\n`);
      return EXIT.ok;
    }
    const expanded = expandSweep(config);
    const jobs = expanded.length;
    process.stdout.write(`${file}: valid; sweep "${config.name}" expands to ${jobs} job${jobs === 1 ? '' : 's'}\n`);
    const llm = describeLlmJobs(expanded);
    if (llm.length) process.stdout.write(`LLM requests (serving.api openai-*):\n${llm.join('\n')}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.invalid);
    throw err;
  }
}
