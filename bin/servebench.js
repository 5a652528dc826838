#!/usr/bin/env node
// Entry point for `npx servebench`: runs the compiled CLI, or says how to build it.
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
try {
  require.resolve(main);
} catch {
  console.error('servebench is not built yet: run `npm run setup` (or `npm run build`) in ' + path.join(__dirname, '..'));
  process.exit(1);
}
require(main);
