/** Runs a config schema and turns zod's issues into readable ones ("expected X, got Y"; unknown keys with a hint). */
import type { z } from 'zod';
import { describeValue, type IssueAt, type PathSegment } from './errors';
import { keysAt } from './schema-paths';
import { didYouMean } from './suggest';

export type Checked<T> = { ok: true; data: T } | { ok: false; issues: IssueAt[] };

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

/** Fallback wording for checks the schema did not word itself; always "expected ...". */
function expectedText(iss: z.core.$ZodRawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}`;
    case 'invalid_value':
      return `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'too_small':
      return `expected a value ${iss.inclusive ? '>=' : '>'} ${String(iss.minimum)}`;
    case 'too_big':
      return `expected a value ${iss.inclusive ? '<=' : '<'} ${String(iss.maximum)}`;
    case 'invalid_format':
      return `expected a valid ${iss.format}`;
    default:
      return 'expected a valid value';
  }
}

/** The input value at `path` (for "got ..."). */
export function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let node = input;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PathSegment, unknown>)[seg];
  }
  return node;
}

/** Appends ", got <value>" to "expected ..." messages that do not already say what was found. */
export function withFound(message: string, found: unknown): string {
  return message.startsWith('expected ') && !message.includes(', got ') ? `${message}, got ${describeValue(found)}` : message;
}

export function checkWith<S extends z.ZodType>(schema: S, input: unknown): Checked<z.output<S>> {
  const result = schema.safeParse(input, { error: expectedText });
  if (result.success) return { ok: true, data: result.data };
  const issues: IssueAt[] = [];
  for (const iss of result.error.issues) {
    const path = iss.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (iss.code === 'unrecognized_keys') {
      // One issue per key, each on its own line, with a hint from the keys allowed there.
      const allowed = keysAt(schema, path) ?? [];
      for (const key of iss.keys) {
        const hint = didYouMean(key, allowed) || (allowed.length ? `; allowed here: ${allowed.join(', ')}` : '');
        issues.push({ path: [...path, key], message: `unknown key${hint}` });
      }
    } else {
      issues.push({ path, message: withFound(iss.message, valueAt(input, path)) });
    }
  }
  return { ok: false, issues };
}
