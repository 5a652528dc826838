/** `servebench validate CONFIG`: check a config without starting anything. */
import { readFileSync } from 'node:fs';
import { assertModelsReady } from '../../activities/compile/preflight';
import { loadConfig } from '../../configs/load';
import { ConfigError } from '../../configs/errors';
import { expandSweep } from '../../configs/matrix';
import { CliError, EXIT } from '../exit-codes';

export function validateCommand(file: string): number {
  try {
    const config = loadConfig(file);
    assertModelsReady(config, file, readFileSync(file, 'utf8'));
    const jobs = expandSweep(config).length;
    process.stdout.write(`${file}: valid; sweep "${config.name}" expands to ${jobs} job${jobs === 1 ? '' : 's'}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.invalid);
    throw err;
  }
}
