import { buildLlmRequests, type PromptSettings, type PromptsConfig } from '../../activities/inputs/prompts';
import { drawTokenCount } from '../../activities/inputs/prompt-lengths';
import { fitText } from '../../activities/inputs/prompt-text';
import { parsePromptFile } from '../../activities/inputs/prompt-file';
import { wordCountTokenizer, type Tokenizer } from '../../activities/inputs/tokenizer';
import { seededUniform } from '../../activities/rng';

/** A stand-in for a BPE tokenizer: words longer than 5 letters are two tokens, so fitting must count, not assume. */
const fake: Tokenizer = {
  count: (text) => text.split(/\s+/).filter((w) => w !== '').reduce((n, w) => n + (w.length > 5 ? 2 : 1), 0),
  approximate: false,
};

const prompts = (p: Partial<PromptsConfig>): PromptsConfig => ({ sharedPrefix: 0, ignoreEos: true, ...p });
const settings = (p: Partial<PromptsConfig>, more: Partial<PromptSettings> = {}): PromptSettings => ({
  api: 'openai-completions', modelName: 'm', prompts: prompts(p), stream: true, seed: 7, requests: 32, ...more,
});
const json = (b: Buffer) => JSON.parse(b.toString()) as Record<string, unknown>;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stdev = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

describe('token lengths drawn per request', () => {
  test('a number is fixed; {mean, stdev} is normal, rounded, clamped to [min (default 1), max]', () => {
    const u = seededUniform(1);
    expect(drawTokenCount(12, u)).toBe(12);
    const xs = Array.from({ length: 20_000 }, () => drawTokenCount({ mean: 100, stdev: 20 }, u));
    expect(xs.every(Number.isInteger)).toBe(true);
    expect(Math.abs(mean(xs) - 100)).toBeLessThan(1);
    expect(Math.abs(stdev(xs) - 20)).toBeLessThan(1);
    const clamped = Array.from({ length: 5000 }, () => drawTokenCount({ mean: 10, stdev: 50, max: 40 }, u));
    expect(Math.min(...clamped)).toBe(1);
    expect(Math.max(...clamped)).toBe(40);
    expect(drawTokenCount({ mean: 10, stdev: 0, min: 30 }, u)).toBe(30);
  });
});

describe('text fitted to a token count', () => {
  test('hits the count exactly with a tokenizer whose words are 1 or 2 tokens, and is repeatable', () => {
    for (const target of [1, 2, 3, 17, 128, 1000]) {
      const fitted = fitText(target, fake, seededUniform(target));
      expect(fitted.tokens).toBe(target);
      expect(fake.count(fitted.text)).toBe(target);
      expect(fitText(target, fake, seededUniform(target)).text).toBe(fitted.text);
    }
  });

  test('converges for tokenizers far from a token per word (every word 2 tokens; a token per 3 letters)', () => {
    const twoEach: Tokenizer = { count: (t) => 2 * wordCountTokenizer.count(t), approximate: false };
    const chars: Tokenizer = { count: (t) => t.split(' ').filter((w) => w).reduce((n, w) => n + Math.ceil(w.length / 3), 0), approximate: false };
    for (const target of [2, 64, 501]) expect(fitText(target - (target % 2), twoEach, seededUniform(1)).tokens).toBe(target - (target % 2));
    for (const target of [1, 64, 777]) expect(chars.count(fitText(target, chars, seededUniform(2)).text)).toBe(target);
  });

  test('after a prefix, the prefix counts towards the target', () => {
    const prefix = fitText(10, fake, seededUniform(1)).text;
    const fitted = fitText(25, fake, seededUniform(2), prefix);
    expect(fitted.text.startsWith(`${prefix} `)).toBe(true);
    expect(fake.count(fitted.text)).toBe(25);
  });
});

describe('synthetic request bodies', () => {
  test('completions: prompt, max_tokens, temperature 0, seed, stream with usage, ignore_eos; counts as asked', () => {
    const built = buildLlmRequests(settings({ inputTokens: 40, outputTokens: 9 }), fake);
    expect(built).toMatchObject({ tokenizer: 'model', source: 'synthetic', skipped: 0 });
    expect(built.bodies).toHaveLength(32);
    for (const b of built.bodies) {
      const body = json(b.body);
      expect(Object.keys(body)).toEqual(['model', 'prompt', 'max_tokens', 'temperature', 'seed', 'stream', 'stream_options', 'ignore_eos']);
      expect(body).toMatchObject({ model: 'm', max_tokens: 9, temperature: 0, seed: 7, stream: true, stream_options: { include_usage: true }, ignore_eos: true });
      expect(fake.count(body.prompt as string)).toBe(40);
      expect(b).toMatchObject({ promptTokens: 40, maxTokens: 9 });
    }
    expect(new Set(built.bodies.map((b) => json(b.body).prompt)).size).toBe(32);
  });

  test('chat: one user message; no stream options when not streaming; no ignore_eos when off', () => {
    const built = buildLlmRequests(settings({ inputTokens: 5, outputTokens: 3, ignoreEos: false }, { api: 'openai-chat', stream: false, requests: 2 }), fake);
    const body = json(built.bodies[0].body);
    expect(Object.keys(body)).toEqual(['model', 'messages', 'max_tokens', 'temperature', 'seed', 'stream']);
    expect(body.stream).toBe(false);
    expect(body.messages).toEqual([{ role: 'user', content: expect.any(String) }]);
  });

  test('seeded: the same seed builds the same bodies, another seed others', () => {
    const p = { inputTokens: { mean: 30, stdev: 10 }, outputTokens: { mean: 20, stdev: 5 } };
    const a = buildLlmRequests(settings(p), fake).bodies.map((b) => b.body.toString());
    expect(buildLlmRequests(settings(p), fake).bodies.map((b) => b.body.toString())).toEqual(a);
    expect(buildLlmRequests(settings(p, { seed: 8 }), fake).bodies.map((b) => b.body.toString())).not.toEqual(a);
  });

  test('drawn lengths follow their distribution and each prompt has its drawn length', () => {
    const built = buildLlmRequests(settings({ inputTokens: { mean: 50, stdev: 10, min: 30, max: 70 }, outputTokens: { mean: 20, stdev: 4 } }, { requests: 512 }), fake);
    const ins = built.bodies.map((b) => b.promptTokens!);
    const outs = built.bodies.map((b) => b.maxTokens);
    expect(Math.abs(mean(ins) - 50)).toBeLessThan(2);
    expect(Math.abs(stdev(ins) - 10)).toBeLessThan(2);
    expect(Math.min(...ins)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...ins)).toBeLessThanOrEqual(70);
    expect(Math.abs(mean(outs) - 20)).toBeLessThan(1);
    for (const b of built.bodies) expect(fake.count(json(b.body).prompt as string)).toBe(b.promptTokens);
  });

  test('a shared prefix is the same text at the start of every prompt, added to inputTokens', () => {
    const built = buildLlmRequests(settings({ inputTokens: 20, outputTokens: 4, sharedPrefix: 50 }), fake);
    const texts = built.bodies.map((b) => json(b.body).prompt as string);
    const prefix = texts[0].split(' ').slice(0, 30).join(' ');
    for (const t of texts) expect(t.startsWith(prefix)).toBe(true);
    // The prefix is 50 tokens: the first words of every prompt agree up to it, and then differ.
    const words = texts.map((t) => t.split(' '));
    let same = 0;
    while (words.every((w) => w[same] === words[0][same])) same++;
    expect(fake.count(words[0].slice(0, same).join(' '))).toBeGreaterThanOrEqual(49);
    expect(fake.count(words[0].slice(0, same).join(' '))).toBeLessThanOrEqual(51);
    for (const b of built.bodies) expect(b.promptTokens).toBe(70);
  });

  test('the word approximation (no local model) fits words and reports promptTokens null', () => {
    const built = buildLlmRequests(settings({ inputTokens: 12, outputTokens: 3 }), wordCountTokenizer);
    expect(built.tokenizer).toBe('approximate');
    for (const b of built.bodies) {
      expect(b.promptTokens).toBeNull();
      expect((json(b.body).prompt as string).split(' ')).toHaveLength(12);
    }
  });
});

describe('prompt files', () => {
  const jsonl = ['{"prompt": "hello there friend", "output_tokens": 5}', '', '{"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}], "max_tokens": 7}'].join('\n');

  test('JSONL: prompt or messages, output_tokens or max_tokens; chat wraps a prompt as a user message', () => {
    const parsed = parsePromptFile(jsonl);
    expect(parsed.format).toBe('jsonl');
    expect(parsed.entries).toEqual([
      { prompt: 'hello there friend', outputTokens: 5, where: 'line 1' },
      { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], outputTokens: 7, where: 'line 3' },
    ]);
    const built = buildLlmRequests(settings({}, { api: 'openai-chat' }), fake, { name: 'p.jsonl', parsed });
    expect(built.source).toBe('file');
    expect(built.bodies.map((b) => [json(b.body).messages, b.maxTokens, b.promptTokens])).toEqual([
      [[{ role: 'user', content: 'hello there friend' }], 5, 4],
      [[{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], 7, 3],
    ]);
    // Configured outputTokens win over the file's, so a sweep over them works with any file.
    expect(buildLlmRequests(settings({ outputTokens: 11 }, { api: 'openai-chat' }), fake, { name: 'p.jsonl', parsed }).bodies.map((b) => b.maxTokens)).toEqual([11, 11]);
  });

  test('ShareGPT: the first human turn is the prompt, the gpt reply after it sets max_tokens; unusable ones skipped', () => {
    const text = JSON.stringify([
      { conversations: [{ from: 'system', value: 'sys' }, { from: 'human', value: 'what is up' }, { from: 'gpt', value: 'the sky mostly, above everything' }] },
      { conversations: [{ from: 'gpt', value: 'hello' }] },
      { conversations: [{ from: 'human', value: 'bye' }, { from: 'gpt', value: 'ok' }] },
    ]);
    const parsed = parsePromptFile(text);
    expect(parsed).toMatchObject({ format: 'sharegpt', skipped: 1 });
    const built = buildLlmRequests(settings({}), fake, { name: 'sg.json', parsed });
    expect(built.skipped).toBe(1);
    expect(built.bodies.map((b) => [json(b.body).prompt, b.maxTokens])).toEqual([['what is up', fake.count('the sky mostly, above everything')], ['bye', 1]]);
  });

  test('bad files: errors name the line or entry', () => {
    expect(() => parsePromptFile('')).toThrow('expected prompts (JSONL, a JSON list or ShareGPT conversations), got an empty file');
    expect(() => parsePromptFile('{"prompt": "a"}\n{"prompt": ')).toThrow(/^line 2: not JSON/);
    expect(() => parsePromptFile('{"prompt": "a"}\n{"text": "b"}')).toThrow('line 2: expected an object with "prompt" (a string) or "messages" (a list of {"role", "content"}), got keys text');
    expect(() => parsePromptFile('{"prompt": "a", "output_tokens": 0}')).toThrow('line 1: "output_tokens": expected a positive integer, got 0');
    expect(() => parsePromptFile('{"messages": []}')).toThrow('line 1: "messages": expected a non-empty list of {"role": "...", "content": "..."}, got []');
    expect(() => parsePromptFile('[{"conversations": "x"}]')).toThrow('entry 0: expected {"conversations": [{"from": "human" | "gpt", "value": "..."}, ...]} (ShareGPT), got {"conversations":"x"}');
    expect(() => parsePromptFile('[{"conversations": [{"from": "gpt", "value": "x"}]}]')).toThrow('expected ShareGPT conversations with a human turn followed by a gpt turn, got none of 1');
    expect(() => parsePromptFile('[1]')).toThrow('entry 0: expected an object');
  });

  test('entries the api or the config cannot take are errors naming the file and line', () => {
    const chat = { name: 'p.jsonl', parsed: parsePromptFile('{"messages": [{"role": "user", "content": "hi"}], "output_tokens": 2}') };
    expect(() => buildLlmRequests(settings({}), fake, chat)).toThrow('p.jsonl: line 1: "messages" are a chat; serving.api openai-completions sends a "prompt" (use openai-chat)');
    const noLength = { name: 'p.jsonl', parsed: parsePromptFile('{"prompt": "hi"}') };
    expect(() => buildLlmRequests(settings({}), fake, noLength)).toThrow('p.jsonl: line 1: expected "output_tokens" (the request\'s max_tokens), or set workload.prompts.outputTokens, got neither');
  });
});
