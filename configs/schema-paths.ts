/**
 * Walks a zod object schema to answer "which keys are allowed here?", so unknown keys and sweep
 * paths get did-you-mean hints from the schema itself rather than from a second hand-kept list.
 */
import type { z } from 'zod';

type AnySchema = z.ZodType;

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  /** z.record: the schema of each value (any key). */
  valueType?: AnySchema;
  innerType?: AnySchema;
  in?: AnySchema;
  options?: readonly AnySchema[];
}

function def(s: AnySchema): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** Unwraps optional/default/pipe wrappers down to the object shape, if the node is an object. */
function shapeOf(s: AnySchema): Record<string, AnySchema> | undefined {
  for (let node: AnySchema | undefined = s; node; ) {
    const d = def(node);
    if (d.type === 'object') return d.shape;
    node = d.innerType ?? d.in;
  }
  return undefined;
}

/** The value schema of a record (e.g. model.inputs: any input name -> its keys), if the node is one. */
function recordValueOf(s: AnySchema): AnySchema | undefined {
  for (let node: AnySchema | undefined = s; node; ) {
    const d = def(node);
    if (d.type === 'record') return d.valueType;
    node = d.innerType ?? d.in;
  }
  return undefined;
}

/** Allowed keys of the mapping at `path` (object keys, and any key of a record; list indexes are not followed), or undefined. */
export function keysAt(schema: AnySchema, path: readonly (string | number)[]): string[] | undefined {
  let node: AnySchema | undefined = schema;
  for (const seg of path) {
    const shape: Record<string, AnySchema> | undefined = node && shapeOf(node);
    node = shape && typeof seg === 'string' && Object.hasOwn(shape, seg) ? shape[seg] : node && typeof seg === 'string' ? recordValueOf(node) : undefined;
    if (!node) return undefined;
  }
  const shape = node && shapeOf(node);
  return shape ? Object.keys(shape) : undefined;
}

/** Every dotted path into nested objects, parents included (e.g. "serving", "serving.batching", ...). */
export function allPaths(schema: AnySchema, prefix = ''): string[] {
  const shape = shapeOf(schema);
  if (!shape) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const p = prefix ? `${prefix}.${key}` : key;
    out.push(p, ...allPaths(child, p));
  }
  return out;
}
