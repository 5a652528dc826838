import { BadRequest, parseChatRequest, parseCompletionRequest } from '../../activities/serve/llm/openai-request';

test('completions: OpenAI defaults (16 tokens, temperature 1, not streamed), one prompt as text or token ids', () => {
  expect(parseCompletionRequest({ prompt: 'hi' })).toEqual({
    model: undefined,
    prompt: { text: 'hi' },
    stream: false,
    includeUsage: false,
    maxTokens: 16,
    ignoreEos: false,
    temperature: 1,
    topP: 1,
    topK: 0,
    seed: undefined,
  });
  expect(parseCompletionRequest({ prompt: ['hi'], max_tokens: 4, stream: true, stream_options: { include_usage: true }, ignore_eos: true, temperature: 0, seed: 7 })).toMatchObject({
    prompt: { text: 'hi' },
    maxTokens: 4,
    stream: true,
    includeUsage: true,
    ignoreEos: true,
    temperature: 0,
    seed: 7,
  });
  expect(parseCompletionRequest({ prompt: [1, 2, 3], user: 'ignored', presence_penalty: 0 }).prompt).toEqual({ tokens: [1, 2, 3] });
});

test('chat: developer is a system message, content parts are joined, max_completion_tokens wins', () => {
  const r = parseChatRequest({
    messages: [
      { role: 'developer', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
    ],
    max_tokens: 8,
    max_completion_tokens: 4,
  });
  expect(r.prompt).toEqual({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'ab' }] });
  expect(r.maxTokens).toBe(4);
  // Unset: the rest of the sequence's context (the server decides).
  expect(parseChatRequest({ messages: [{ role: 'user', content: 'x' }] }).maxTokens).toBeUndefined();
});

test('what it cannot honour is a BadRequest naming the field', () => {
  const bad = (f: () => unknown, param: string) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(BadRequest);
      expect((e as BadRequest).param).toBe(param);
      expect((e as Error).message).toMatch(new RegExp(`^${param.replace(/\./g, '\\.')}: `));
      return;
    }
    throw new Error(`no BadRequest for ${param}`);
  };
  bad(() => parseCompletionRequest({ prompt: 'x', n: 2 }), 'n');
  bad(() => parseCompletionRequest({ prompt: 'x', stop: ['\n'] }), 'stop');
  bad(() => parseCompletionRequest({ prompt: ['a', 'b'] }), 'prompt');
  bad(() => parseCompletionRequest({ prompt: 'x', max_tokens: -1 }), 'max_tokens');
  bad(() => parseCompletionRequest({ prompt: 'x', temperature: 3 }), 'temperature');
  bad(() => parseChatRequest({ messages: [{ role: 'tool', content: 'x' }] }), 'messages.0.role');
  bad(() => parseChatRequest({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] }), 'tools');
  expect(() => parseCompletionRequest(null)).toThrow(BadRequest);
});
