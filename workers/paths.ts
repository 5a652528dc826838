/** Where servebench keeps its state: `.servebench/` in the working directory, or $SERVEBENCH_HOME. */
import { join, resolve } from 'node:path';

export function stateDir(): string {
  return resolve(process.env.SERVEBENCH_HOME ?? '.servebench');
}

export const resultsFile = (): string => join(stateDir(), 'results.duckdb');
export const artifactsDir = (): string => join(stateDir(), 'artifacts');
export const temporalDbFile = (): string => join(stateDir(), 'temporal.db');
export const logsDir = (): string => join(stateDir(), 'logs');
