/** Finds the `temporal` CLI the way `npm run setup` chose it: $TEMPORAL_CLI, then PATH, then the project's .venv. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const PROJECT_ROOT = resolve(__dirname, '..', '..'); // dist/workers -> repo root
const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) throw new Error(`TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file`);
    return env.TEMPORAL_CLI;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (isExecutable(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  // Tests run from source (ts-jest) and the CLI from dist/: look in both roots.
  for (const root of [PROJECT_ROOT, resolve(__dirname, '..')]) {
    const venv = join(root, '.venv', 'bin', 'temporal');
    if (isExecutable(venv)) return venv;
  }
  throw new Error('the Temporal CLI was not found: run `npm run setup`, or set TEMPORAL_CLI to the `temporal` binary');
}
