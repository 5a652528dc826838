/**
 * `serving.command.run`: a command line split into argv the way a POSIX shell quotes words, but with nothing
 * a shell would expand or execute (no variables, globs, pipes or redirections), and servebench's placeholders
 * (`{model}`, `{port}`, ...) substituted inside each word afterwards, so a path with spaces stays one argument.
 */

/** What a command line may name; the values come from the job (activities/serve/systems/command.ts). */
export const COMMAND_PLACEHOLDERS = [
  'model', // the compiled .onnx file
  'name', // the model's name: the server must serve it under this name
  'port', // the HTTP port to listen on (127.0.0.1)
  'grpcPort', // the gRPC port to listen on (127.0.0.1); needed with serving.protocol grpc
  'cores', // the device's cores, taskset style (0-3,8)
  'instances',
  'intraOpThreads',
  'interOpThreads',
  'maxBatchSize', // with serving.batching only
  'maxQueueDelayMs',
] as const;
export type CommandPlaceholder = (typeof COMMAND_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Splits `line` into words; throws an Error saying what is wrong (an unclosed quote, nothing to run). */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`expected a closing ${quote} in the command line`);
  if (word !== null) words.push(word);
  if (words.length === 0) throw new Error('expected a command line, got only spaces');
  return words;
}

/** The placeholders `line` names, in order of first use; unknown ones throw, listing the known. */
export function placeholdersOf(line: string): CommandPlaceholder[] {
  const found: CommandPlaceholder[] = [];
  for (const [, name] of line.matchAll(PLACEHOLDER)) {
    if (!(COMMAND_PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new Error(`unknown placeholder {${name}}; known: ${COMMAND_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`);
    }
    if (!found.includes(name as CommandPlaceholder)) found.push(name as CommandPlaceholder);
  }
  return found;
}

/** argv of `line` with every placeholder replaced by its value; throws where a used one has no value. */
export function commandArgv(line: string, values: Partial<Record<CommandPlaceholder, string | number>>): string[] {
  placeholdersOf(line);
  return splitCommandLine(line).map((word) =>
    word.replace(PLACEHOLDER, (_, name: CommandPlaceholder) => {
      const v = values[name];
      if (v === undefined) throw new Error(`placeholder {${name}} has no value for this job`);
      return String(v);
    }),
  );
}
