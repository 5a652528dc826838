/**
 * LLM prompt files (workload.prompts.file), parsed. Pure: text in, entries out; errors name the line or entry.
 * - JSONL: one JSON object per line, {"prompt": "..."} or {"messages": [{"role", "content"}, ...]}, with an
 *   optional "output_tokens" (or "max_tokens"): that request's max_tokens.
 * - JSON: a list of such objects, or ShareGPT conversations ([{"conversations": [{"from": "human" | "gpt",
 *   "value": ...}, ...]}]): the first human turn is the prompt, and the gpt turn right after it is the reply whose
 *   token count sets max_tokens (vLLM's sharegpt dataset). Conversations without a human turn followed by a gpt
 *   one are skipped (counted), as vLLM skips them; a file with none usable is an error.
 */
import { parseJsonLines } from './data-file';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface PromptEntry {
  /** Exactly one of prompt and messages. */
  prompt?: string;
  messages?: ChatMessage[];
  /** The entry's own max_tokens ("output_tokens" / "max_tokens"). */
  outputTokens?: number;
  /** ShareGPT: the reply whose length in tokens is the request's max_tokens (unless outputTokens is configured). */
  replyText?: string;
  /** Where it is in the file, for messages: `line 3`, `entry 7`. */
  where: string;
}

export interface PromptFile {
  entries: PromptEntry[];
  /** ShareGPT conversations left out (no human turn followed by a gpt turn). */
  skipped: number;
  format: 'jsonl' | 'json' | 'sharegpt';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 60);

/** Throws Error naming the line (JSONL) or entry (JSON) that is wrong; the caller prefixes the file name. */
export function parsePromptFile(text: string): PromptFile {
  const trimmed = text.trimStart();
  if (trimmed === '') throw new Error('expected prompts (JSONL, a JSON list or ShareGPT conversations), got an empty file');
  if (!trimmed.startsWith('[')) {
    return { entries: parseJsonLines(text, parseEntry, 'expected at least one prompt (one JSON object per line), got none'), skipped: 0, format: 'jsonl' };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`, { cause: e });
  }
  const list = doc as unknown[];
  if (list.length === 0) throw new Error('expected at least one entry in the JSON list, got none');
  if (isObj(list[0]) && 'conversations' in list[0]) return parseShareGpt(list);
  return { entries: list.map((v, i) => parseEntry(v, `entry ${i}`)), skipped: 0, format: 'json' };
}

function parseEntry(value: unknown, where: string): PromptEntry {
  const expected = 'expected an object with "prompt" (a string) or "messages" (a list of {"role", "content"})';
  if (!isObj(value)) throw new Error(`${where}: ${expected}, got ${show(value)}`);
  const { prompt, messages } = value;
  const entry: PromptEntry = { where };
  if (prompt !== undefined && messages !== undefined) throw new Error(`${where}: ${expected}, got both`);
  if (typeof prompt === 'string' && prompt !== '') entry.prompt = prompt;
  else if (messages !== undefined) entry.messages = parseMessages(messages, where);
  else throw new Error(`${where}: ${expected}, got ${prompt === undefined ? `keys ${Object.keys(value).join(', ') || 'none'}` : `"prompt": ${show(prompt)}`}`);
  const key = value.output_tokens !== undefined ? 'output_tokens' : value.max_tokens !== undefined ? 'max_tokens' : undefined;
  if (key) {
    const n = value[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new Error(`${where}: "${key}": expected a positive integer, got ${show(n)}`);
    entry.outputTokens = n;
  }
  return entry;
}

function parseMessages(messages: unknown, where: string): ChatMessage[] {
  const ok = Array.isArray(messages) && messages.length > 0 && messages.every((m) => isObj(m) && typeof m.role === 'string' && typeof m.content === 'string');
  if (!ok) throw new Error(`${where}: "messages": expected a non-empty list of {"role": "...", "content": "..."}, got ${show(messages)}`);
  return (messages as Record<string, string>[]).map((m) => ({ role: m.role, content: m.content }));
}

function parseShareGpt(list: unknown[]): PromptFile {
  const entries: PromptEntry[] = [];
  let skipped = 0;
  list.forEach((item, i) => {
    const where = `entry ${i}`;
    const turns = isObj(item) ? item.conversations : undefined;
    const turnOk = (t: unknown): t is { from: string; value: string } => isObj(t) && typeof t.from === 'string' && typeof t.value === 'string';
    if (!Array.isArray(turns) || !turns.every(turnOk)) {
      throw new Error(`${where}: expected {"conversations": [{"from": "human" | "gpt", "value": "..."}, ...]} (ShareGPT), got ${show(item)}`);
    }
    const human = turns.findIndex((t) => t.from === 'human' && t.value !== '');
    const reply = human >= 0 ? turns[human + 1] : undefined;
    if (!reply || reply.from !== 'gpt' || reply.value === '') {
      skipped++;
      return;
    }
    entries.push({ prompt: turns[human].value, replyText: reply.value, where });
  });
  if (entries.length === 0) throw new Error(`expected ShareGPT conversations with a human turn followed by a gpt turn, got none of ${list.length}`);
  return { entries, skipped, format: 'sharegpt' };
}
