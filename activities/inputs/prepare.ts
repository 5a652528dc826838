/**
 * The edge of the input pipeline: reads the data files a config names, then resolves and builds every
 * request's tensors (resolve.ts, requests.ts). Used by `validate` (model preflight), the compile's smoke run
 * and the measurement, so all three send the same shapes and values.
 */
import { readFileSync } from 'node:fs';
import type { IssueAt } from '../../configs/errors';
import { dataFormatOf, parseDataFile } from './data-file';
import { parseNpy, type NpyArray } from './npy';
import { buildRequests, type DataSources } from './requests';
import { resolveInputs } from './resolve';
import type { InputsConfig, ModelInput, RequestTensor } from './types';

/** The config keys that decide what is sent (a slice of Config, so a compile spec can carry it). */
export interface InputSettings {
  inputs?: InputsConfig;
  batchSize: number;
  seed: number;
  /** workload.data, absolute. */
  data?: string;
}

export function inputSettings(config: { model: { inputs?: InputsConfig }; workload: { batchSize: number; seed: number; data?: string } }): InputSettings {
  return { inputs: config.model.inputs, batchSize: config.workload.batchSize, seed: config.workload.seed, data: config.workload.data };
}

export type Prepared = { requests: RequestTensor[][]; issues: [] } | { requests: null; issues: IssueAt[] };

/** Every distinct request for `model`'s inputs, or the issues (config paths) that prevent it. */
export function prepareRequests(model: readonly ModelInput[], s: InputSettings): Prepared {
  const { sources, issues } = loadSources(s);
  if (issues.length) return { requests: null, issues };
  const fromData = new Set([...(sources.entries?.list ?? []).flatMap((e) => Object.keys(e)), ...(sources.npy?.keys() ?? [])]);
  const resolved = resolveInputs(model, s.inputs, s.batchSize, fromData);
  if (resolved.issues.length) return { requests: null, issues: resolved.issues };
  return buildRequests(resolved.inputs, sources, s.batchSize, s.seed);
}

/** Issues as one message per line, `path: message` (for errors raised outside the config loader). */
export function describeIssues(issues: readonly IssueAt[]): string {
  return issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

function loadSources(s: InputSettings): { sources: DataSources; issues: IssueAt[] } {
  const issues: IssueAt[] = [];
  const sources: DataSources = {};
  if (s.data !== undefined) {
    const file = s.data;
    try {
      sources.entries = { file, list: parseDataFile(readFileSync(file, 'utf8'), dataFormatOf(file)) };
    } catch (e) {
      issues.push({ path: ['workload', 'data'], message: `${file}: ${readError(e)}` });
    }
  }
  for (const [name, c] of Object.entries(s.inputs ?? {})) {
    if (c.data === undefined) continue;
    try {
      (sources.npy ??= new Map<string, NpyArray>()).set(name, parseNpy(readFileSync(c.data)));
    } catch (e) {
      issues.push({ path: ['model', 'inputs', name, 'data'], message: `${c.data}: ${readError(e)}` });
    }
  }
  return { sources, issues };
}

function readError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  return (e as Error).message;
}
