/**
 * Where the compiled JS of a serve module lives. Worker threads and child
 * processes need JavaScript; when this code itself runs from TypeScript
 * sources (ts-jest), the JS is tsc's output under dist/ (`npx tsc -p .`).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function compiledScript(name: string): string {
  const here = path.join(__dirname, `${name}.js`);
  if (existsSync(here)) return here;
  const built = path.resolve(__dirname, '..', '..', 'dist', 'activities', 'serve', `${name}.js`);
  if (existsSync(built)) return built;
  throw new Error(`${name}.js is neither next to ${__dirname} nor at ${built}; build first with \`npx tsc -p .\``);
}
