/**
 * A job's config as the changes from its sweep's base config: a sweep plan then costs a few bytes per job
 * instead of a whole config each (plans travel as one Temporal payload, capped at 2 MB). Pure, plain JSON,
 * usable in workflow code.
 */

/** A leaf that differs: its path and the job's value; `del` when the job has no such key. */
export type PatchOp = { path: string[]; value: unknown } | { path: string[]; del: true };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What turns `base` into `target` (both plain JSON); arrays are compared and replaced whole. */
export function configPatch(base: unknown, target: unknown, path: string[] = []): PatchOp[] {
  if (isObject(base) && isObject(target)) {
    const ops: PatchOp[] = [];
    for (const k of Object.keys(target)) {
      if (target[k] === undefined) continue;
      if (!(k in base) || base[k] === undefined) ops.push({ path: [...path, k], value: target[k] });
      else ops.push(...configPatch(base[k], target[k], [...path, k]));
    }
    for (const k of Object.keys(base)) if (base[k] !== undefined && (!(k in target) || target[k] === undefined)) ops.push({ path: [...path, k], del: true });
    return ops;
  }
  return JSON.stringify(base) === JSON.stringify(target) ? [] : [{ path, value: target }];
}

/** `base` with the patch applied; `base` itself is not changed. */
export function applyPatch<T>(base: T, ops: PatchOp[]): T {
  let out = JSON.parse(JSON.stringify(base)) as unknown;
  for (const op of ops) {
    if (op.path.length === 0) {
      out = 'del' in op ? undefined : JSON.parse(JSON.stringify(op.value));
      continue;
    }
    let node = out as Record<string, unknown>;
    for (const k of op.path.slice(0, -1)) {
      if (!isObject(node[k])) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    const last = op.path[op.path.length - 1];
    if ('del' in op) delete node[last];
    else node[last] = JSON.parse(JSON.stringify(op.value));
  }
  return out as T;
}
