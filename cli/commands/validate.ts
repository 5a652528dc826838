/** `servebench validate CONFIG`: check a config without starting anything. */
import { loadConfig } from '../../configs/load';
import { ConfigError } from '../../configs/errors';
import { expandSweep } from '../../configs/matrix';
import { preflightChecks } from '../../configs/preflight';
import { CliError, EXIT } from '../exit-codes';

export function validateCommand(file: string): number {
  try {
    const config = loadConfig(file, { checks: preflightChecks() });
    const jobs = expandSweep(config).length;
    process.stdout.write(`${file}: valid; sweep "${config.name}" expands to ${jobs} job${jobs === 1 ? '' : 's'}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.invalid);
    throw err;
  }
}
