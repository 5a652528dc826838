/**
 * Child-process entry of a pinned compile (see compile-process.ts): receives one
 * { spec, opts } over IPC, compiles, answers { artifact } or { error } and exits.
 * Exits at once when its parent goes away: a dead worker leaves no compile holding a core.
 */
import { toWire } from '../process/wire-error';
import { compileModel, type CompileOptions } from './compile';
import type { CompileSpec } from './types';

export interface CompileRequest {
  spec: CompileSpec;
  opts: CompileOptions;
}

process.on('disconnect', () => process.exit(0));

process.once('message', (req: CompileRequest) => {
  compileModel(req.spec, req.opts).then(
    (artifact) => answer({ artifact }),
    (e: unknown) => answer({ error: toWire(e) }),
  );
});

function answer(msg: object): void {
  process.send!(msg, () => process.exit(0));
}
