/** A suggestion as a `sweep:` block to paste into a config: one value per swept path. */
export function sweepSnippet(params: Record<string, unknown>): string {
  // JSON is YAML flow syntax, so strings, numbers and objects all paste as they are.
  const lines = Object.entries(params).map(([key, value]) => `  ${key}: [${JSON.stringify(value ?? null)}]`);
  return ['sweep:', ...lines].join('\n');
}
