import { LlmStats, meetsSlo, requestMetrics, tokensInWindow } from '../../activities/loadgen/llm-stats';
import type { StreamTiming } from '../../activities/loadgen/llm-types';
import { ReplyReader, type AskedOf } from '../../activities/loadgen/openai-reply';
import { judgeRun, rulesOf, shouldStop, unmetRules } from '../../activities/loadgen/run-rules';

const timing = (over: Partial<StreamTiming> = {}): StreamTiming => ({
  chunkAt: [1200, 1220, 1250, 1260],
  streamed: true,
  maxTokens: 4,
  outputTokens: 4,
  inputTokens: 10,
  tokenSource: 'usage',
  truncated: null,
  ...over,
});

describe('requestMetrics: TTFT, ITL, TPOT and the per-request mean ITL from chunk times', () => {
  test('TTFT from the reference time, every gap, TPOT = (E2E − TTFT) / (tokens − 1), mean gap', () => {
    // Sent (or scheduled) at 1000, chunks at 1200, 1220, 1250, 1260, last byte at 1270.
    const m = requestMetrics(timing(), 1000, 270);
    expect(m.ttftMs).toBe(200);
    expect(m.itlsMs).toEqual([20, 30, 10]);
    expect(m.tpotMs).toBeCloseTo((270 - 200) / 3, 9);
    expect(m.meanItlMs).toBeCloseTo(20, 9);
    expect(m.e2eMs).toBe(270);
  });

  test('the reference time moves TTFT and TPOT, not the gaps (open loop: the scheduled send)', () => {
    const late = requestMetrics(timing(), 950, 320);
    expect(late.ttftMs).toBe(250);
    expect(late.itlsMs).toEqual([20, 30, 10]);
    expect(late.tpotMs).toBeCloseTo(70 / 3, 9);
  });

  test('TPOT counts output tokens, not chunks (a chunk may carry several tokens)', () => {
    expect(requestMetrics(timing({ outputTokens: 8 }), 1000, 270).tpotMs).toBeCloseTo(70 / 7, 9);
  });

  test('one token: TTFT but no TPOT and no gap; unstreamed: E2E only', () => {
    const one = requestMetrics(timing({ chunkAt: [1200], outputTokens: 1 }), 1000, 210);
    expect(one).toEqual({ ttftMs: 200, itlsMs: [], tpotMs: null, meanItlMs: null, e2eMs: 210 });
    const whole = requestMetrics(timing({ chunkAt: [1300], streamed: false }), 1000, 300);
    expect(whole).toEqual({ ttftMs: null, itlsMs: [], tpotMs: null, meanItlMs: null, e2eMs: 300 });
  });
});

describe('meetsSlo: every objective given', () => {
  const m = requestMetrics(timing(), 1000, 270); // TTFT 200, TPOT 23.3, E2E 270
  const slo = (o: Partial<{ ttftMs: number; tpotMs: number; e2eMs: number }>) => ({ ttftMs: null, tpotMs: null, e2eMs: null, percentile: 99, ...o });
  test('each objective alone, and all together', () => {
    expect(meetsSlo(m, slo({ ttftMs: 200 }))).toBe(true);
    expect(meetsSlo(m, slo({ ttftMs: 199 }))).toBe(false);
    expect(meetsSlo(m, slo({ tpotMs: 24 }))).toBe(true);
    expect(meetsSlo(m, slo({ tpotMs: 23 }))).toBe(false);
    expect(meetsSlo(m, slo({ e2eMs: 269 }))).toBe(false);
    expect(meetsSlo(m, slo({ ttftMs: 300, tpotMs: 30, e2eMs: 300 }))).toBe(true);
    expect(meetsSlo(m, slo({ ttftMs: 300, tpotMs: 30, e2eMs: 250 }))).toBe(false);
  });
  test('unstreamed, the first token comes with the last byte: TTFT is E2E; undefined TPOT passes', () => {
    const whole = requestMetrics(timing({ chunkAt: [1300], streamed: false }), 1000, 300);
    expect(meetsSlo(whole, slo({ ttftMs: 299 }))).toBe(false);
    expect(meetsSlo(whole, slo({ ttftMs: 300, tpotMs: 1 }))).toBe(true);
  });
});

describe('LlmStats: histograms, tokens per second of the window, goodput, truncation', () => {
  test('pools gaps of measured requests; tokens per second from the chunks in the window, whichever request; goodput = pace × good share', () => {
    const stats = new LlmStats('openai-chat', true, { ttftMs: 250, tpotMs: null, e2eMs: null, percentile: 99 });
    const both = (t: StreamTiming, refAt: number, e2eMs: number) => {
      stats.pace(t);
      stats.record(t, refAt, e2eMs);
    };
    both(timing(), 1000, 270); // TTFT 200: good
    both(timing({ inputTokens: 20, outputTokens: 6, maxTokens: 8 }), 900, 370); // TTFT 300: not good
    both(timing({ truncated: 'the stream ended without [DONE] or a finish_reason' }), 1000, 270); // truncated: not good
    both(timing({ chunkAt: [2900, 2950, 3050, 3100] }), 2700, 400); // TTFT 200: good; half its chunks after the window
    stats.pace(timing({ chunkAt: [900, 950, 1010, 1020] })); // warm-up request: its last 2 chunks are in the window
    const s = stats.summary(2000, 1000, 1.5); // window [1000, 3000]
    expect(s.ttft.count).toBe(4);
    expect(s.itl.count).toBe(12);
    expect(s.itl.p50Ms).toBeCloseTo(20, 1);
    expect(s.itlMeanPerRequest.count).toBe(4);
    // Prompt tokens where prefill ended in the window: 10 + 20 + 10 + 10 (the warm-up one's first token came before).
    expect(s.inputTokens).toBe(50);
    // Output: 4 + 6 + 4 + 2 (half of 4) + 2 (half of the warm-up one's 4).
    expect(s.outputTokens).toBe(18);
    expect(s.inputTokensPerS).toBe(25);
    expect(s.outputTokensPerS).toBe(9);
    expect(s.goodRequests).toBe(2);
    expect(s.goodput).toBe(0.75); // 1.5 requests/s × 2 of 4 good
    expect(s.truncated).toBe(1);
    expect(s.truncatedSample).toMatch(/without \[DONE\]/);
    expect(s.meanOutputTokens).toBe(4.5);
    expect(s.meanMaxTokens).toBe(5);
    expect(s.tokenSource).toBe('usage');
    expect(stats.truncation()).toEqual({ count: 1, requests: 4, sample: s.truncatedSample });
    stats.release();
  });

  test('tokensInWindow: output spread over the chunks, prompt tokens where the first token came', () => {
    expect(tokensInWindow(timing(), 1000, 3000)).toEqual({ input: 10, output: 4 });
    expect(tokensInWindow(timing(), 1230, 3000)).toEqual({ input: 0, output: 2 });
    expect(tokensInWindow(timing({ chunkAt: [1300], streamed: false }), 1000, 1299)).toEqual({ input: 0, output: 0 });
    expect(tokensInWindow(timing({ chunkAt: [] }), 0, 5000)).toEqual({ input: 0, output: 0 });
  });

  test('without an objective goodput is null; mixed token sources say so', () => {
    const stats = new LlmStats('openai-completions', false, null);
    stats.record(timing({ streamed: false, chunkAt: [1300] }), 1000, 300);
    stats.record(timing({ streamed: false, chunkAt: [1300], tokenSource: 'chunks' }), 1000, 300);
    const s = stats.summary(1000, 1000, 2);
    expect(s).toMatchObject({ api: 'openai-completions', stream: false, goodput: null, goodRequests: null, tokenSource: 'mixed' });
    expect(s.ttft.count).toBe(0);
    expect(s.ttft.p50Ms).toBeNull();
    stats.release();
  });
});

describe('ReplyReader: OpenAI-compatible replies, streamed or not', () => {
  const chat: AskedOf = { api: 'openai-chat', promptTokens: 7, maxTokens: 3, ignoreEos: false };
  const event = (o: object | string): string => `data: ${typeof o === 'string' ? o : JSON.stringify(o)}\n\n`;
  const delta = (content: string | undefined, finish: string | null = null) => event({ choices: [{ index: 0, delta: content === undefined ? { role: 'assistant' } : { content }, finish_reason: finish }] });

  test('a chunk time per content chunk (events split across reads), usage from the last chunk, [DONE]', () => {
    const r = new ReplyReader(chat, true);
    const text = delta(undefined) + delta('Hel') + delta('') + delta('lo') + delta(' you') + event({ choices: [{ delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 3 } }) + event('[DONE]');
    // Fed in pieces that cut events in half; each piece arrives at its own time.
    const cuts = [0, 30, 150, 260, 330, 420, text.length];
    for (let i = 1; i < cuts.length; i++) r.feed(text.slice(cuts[i - 1], cuts[i]), 100 * i);
    const out = r.finish(900);
    expect(out.error).toBeNull();
    const t = (out as { timing: StreamTiming }).timing;
    expect(t.chunkAt).toHaveLength(3); // the role chunk, the empty one and the usage one carry no content
    expect(t.chunkAt.every((at, i) => i === 0 || at >= t.chunkAt[i - 1])).toBe(true);
    expect(t).toMatchObject({ streamed: true, outputTokens: 3, inputTokens: 5, tokenSource: 'usage', truncated: null, maxTokens: 3 });
  });

  test('completions read choices[0].text; without usage the tokens are the chunks and the prompt the builder’s count', () => {
    const r = new ReplyReader({ ...chat, api: 'openai-completions' }, true);
    r.feed(event({ choices: [{ text: 'a' }] }) + event({ choices: [{ text: 'b', finish_reason: 'length' }] }), 5);
    const out = r.finish(6) as { error: null; timing: StreamTiming };
    expect(out.timing).toMatchObject({ chunkAt: [5, 5], outputTokens: 2, inputTokens: 7, tokenSource: 'chunks', truncated: null });
  });

  test('without usage, the model\'s tokenizer counts the generated text (streamed: the chunks joined; unstreamed: the message)', () => {
    const words = (text: string) => text.split(/\s+/).filter(Boolean).length; // a stand-in tokenizer: one token per word
    const r = new ReplyReader(chat, true, words);
    r.feed(delta('one two') + delta(' three') + delta(' four', 'stop') + event('[DONE]'), 1);
    expect((r.finish(2) as { timing: StreamTiming }).timing).toMatchObject({ chunkAt: [1, 1, 1], outputTokens: 4, tokenSource: 'tokenizer' });
    const whole = new ReplyReader(chat, false, words);
    whole.feed(JSON.stringify({ choices: [{ message: { content: 'a b c d e' }, finish_reason: 'stop' }] }), 1);
    expect((whole.finish(2) as { timing: StreamTiming }).timing).toMatchObject({ outputTokens: 5, tokenSource: 'tokenizer' });
    // ignore_eos: a tokenizer's count may miss max_tokens by a token or two without the stream being short.
    const near = new ReplyReader({ ...chat, maxTokens: 6, ignoreEos: true }, true, words);
    near.feed(delta('a b c d', 'length') + event('[DONE]'), 1);
    expect((near.finish(2) as { timing: StreamTiming }).timing.truncated).toBeNull();
    const far = new ReplyReader({ ...chat, maxTokens: 6, ignoreEos: true }, true, words);
    far.feed(delta('a b', 'stop') + event('[DONE]'), 1);
    expect((far.finish(2) as { timing: StreamTiming }).timing.truncated).toBe('2 of 6 output tokens with ignore_eos (finish_reason stop)');
    // With usage the server's count wins.
    const used = new ReplyReader(chat, true, words);
    used.feed(delta('one two', 'stop') + event({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 9 } }) + event('[DONE]'), 1);
    expect((used.finish(2) as { timing: StreamTiming }).timing).toMatchObject({ outputTokens: 9, tokenSource: 'usage' });
  });

  test('truncated: no [DONE] nor finish_reason; or short of max_tokens with ignore_eos', () => {
    const cut = new ReplyReader(chat, true);
    cut.feed(delta('a') + delta('b'), 1);
    expect((cut.finish(2) as { timing: StreamTiming }).timing.truncated).toBe('the stream ended without [DONE] or a finish_reason');
    const short = new ReplyReader({ ...chat, maxTokens: 100, ignoreEos: true }, true);
    short.feed(delta('a', 'stop') + event('[DONE]'), 1);
    expect((short.finish(2) as { timing: StreamTiming }).timing.truncated).toBe('1 of 100 output tokens with ignore_eos (finish_reason stop)');
  });

  test('an unstreamed reply: one chunk time at the end, its usage', () => {
    const r = new ReplyReader(chat, false);
    const body = JSON.stringify({ choices: [{ message: { content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 4, completion_tokens: 2 } });
    r.feed(body.slice(0, 10), 1);
    r.feed(body.slice(10), 2);
    expect(r.finish(3)).toEqual({ error: null, timing: { chunkAt: [3], streamed: false, maxTokens: 3, outputTokens: 2, inputTokens: 4, tokenSource: 'usage', truncated: null } });
  });

  test('malformed events and error replies are errors in words', () => {
    const bad = new ReplyReader(chat, true);
    bad.feed('data: {not json\n\n', 1);
    expect(bad.finish(2)).toEqual({ error: 'malformed stream event: "{not json"' });
    const err = new ReplyReader(chat, true);
    err.feed(event({ error: { message: 'model overloaded' } }), 1);
    expect(err.finish(2)).toEqual({ error: 'error in the stream: model overloaded' });
    const html = new ReplyReader(chat, false);
    html.feed('<html>', 1);
    expect(html.finish(2)).toEqual({ error: 'malformed reply: "<html>"' });
  });
});

describe('run rules for LLM serving', () => {
  const base = { measuredMs: 10_000, queries: 80, ok: 80, errors: 0, targetRate: null, achievedRate: 8, sendLagP99Ms: null, windows: [] };
  const rules = rulesOf({ durationMs: 10_000, minQueries: 0, maxDurationMs: 100_000, earlyStopping: null, stability: null });

  test('truncated streams make a run invalid, in words', () => {
    const v = judgeRun({ ...base, truncated: { count: 12, requests: 80, sample: '3 of 128 output tokens with ignore_eos (finish_reason stop)' } }, rules);
    expect(v).toEqual({ valid: false, reasons: ['12 of 80 streams ended early: 3 of 128 output tokens with ignore_eos (finish_reason stop)'] });
    expect(judgeRun({ ...base, truncated: { count: 0, requests: 80, sample: null } }, rules).valid).toBe(true);
  });

  test('early stopping on TTFT counts TTFT samples, and says so', () => {
    const es = rulesOf({ durationMs: 1000, minQueries: 0, maxDurationMs: 100_000, earlyStopping: { percentile: 90, metric: 'ttft' }, stability: null });
    const p = { elapsedMs: 2000, queries: 100, ok: 100, windows: [] };
    expect(shouldStop({ ...p, earlyStoppingSamples: 63 }, es)).toBe(false);
    expect(shouldStop({ ...p, earlyStoppingSamples: 64 }, es)).toBe(true);
    expect(unmetRules({ ...p, earlyStoppingSamples: 10 }, es)).toEqual(['10 TTFT samples, p90 TTFT needs 64']);
    expect(() => rulesOf({ durationMs: 1000, minQueries: 0, maxDurationMs: 2000, earlyStopping: { percentile: 90, metric: 'itl' as 'ttft' }, stability: null })).toThrow(/metric must be one of latency, ttft, tpot/);
  });
});
