/**
 * The lint rule that keeps workflow code workflow-safe (eslint.config.mjs): the real eslint on snippets placed in
 * workflows/, so a loosened config fails here rather than in a running workflow.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** The restricted-import messages eslint gives `code` as if it were the file `file`. */
function restricted(file: string, code: string): string[] {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'], { cwd: ROOT, input: code, encoding: 'utf8' });
  const [result] = JSON.parse(r.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

test('workflow code may not import Node I/O, activity-side packages or activity modules', () => {
  const code = [
    "import { readFileSync } from 'node:fs';",
    "import * as path from 'path';",
    "import { Connection } from '@temporalio/client';",
    "import { InferenceSession } from 'onnxruntime-node';",
    "import { query } from '../analysis/db';",
    'export const x = [readFileSync, path, Connection, InferenceSession, query];',
  ].join('\n');
  const messages = restricted('workflows/example.ts', code);
  expect(messages).toHaveLength(5);
  expect(messages[0]).toContain("'node:fs' import is restricted");
  expect(messages[4]).toContain("'../analysis/db' import is restricted");
});

test('types from anywhere, values from workflows/, @temporalio/workflow and the workflow-safe modules are fine', () => {
  const code = [
    "import { sleep } from '@temporalio/workflow';",
    "import type { Config } from '../../configs/schema';",
    "import { applyPatch } from '../../configs/patch';",
    "import { leader } from '../activities';",
    'export const x = [sleep, applyPatch, leader];',
    'export type C = Config;',
  ].join('\n');
  expect(restricted('workflows/scheduler/example.ts', code)).toEqual([]);
  expect(restricted('workflows/scheduler/example.ts', "import { place } from '../../activities/scheduler';\nexport const p = place;\n")).toHaveLength(1);
});
