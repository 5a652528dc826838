/**
 * The built-in server's instance threads and child process need compiled JS, which ts-jest does not produce:
 * this compiles just those entry points (and what they import) into dist/ with the project's compiler options,
 * so a test run straight from jest uses the sources under test rather than a stale build.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export function buildServeJs(entries: string[] = ['server-main.ts', 'instance-worker.ts']): void {
  buildEntryJs(entries.map((f) => path.join('activities', 'serve', f)));
}

/** Compiles child-process entry points given relative to the repository root (e.g. activities/inputs/prompts-main.ts) into dist/. */
export function buildEntryJs(entries: string[]): void {
  const cfg = path.join(mkdtempSync(path.join(tmpdir(), 'serve-js-')), 'tsconfig.serve.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      // typeRoots: type libraries resolve from the config's folder, which is a temp dir here.
      compilerOptions: { rootDir: ROOT, outDir: path.join(ROOT, 'dist'), typeRoots: [path.join(ROOT, 'node_modules', '@types')] },
      files: entries.map((f) => path.join(ROOT, f)),
      include: [],
    }),
  );
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', cfg], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`tsc failed: ${(e as { stdout?: Buffer }).stdout?.toString() ?? e}`, { cause: e });
  }
}
