/**
 * The request bodies of POST /v1/completions and /v1/chat/completions, checked (zod) into what the engine needs.
 * Fields OpenAI clients commonly send and this server does not act on (user, presence_penalty, …) are accepted and
 * ignored; those that would change the answer in ways it cannot honour (n > 1, stop, tools) are refused with 400.
 */
import { z } from 'zod';
import type { ChatMessage } from './engine';

/** A request the server refuses (HTTP 400), naming the field. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

const sampling = {
  model: z.string().optional(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().nonnegative().nullish(),
  ignore_eos: z.boolean().nullish(),
  // OpenAI's default temperature is 1; 0 = greedy.
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().nonnegative().nullish(),
  seed: z.number().int().nullish(),
  n: z.literal(1).nullish(),
  stop: z.union([z.null(), z.array(z.never()).length(0)]).optional(),
};

const completionBody = z.looseObject({
  ...sampling,
  // One prompt: text, or token ids.
  prompt: z.union([z.string(), z.array(z.string()).length(1), z.array(z.number().int().nonnegative()).min(1)]),
});

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const chatBody = z.looseObject({
  ...sampling,
  max_completion_tokens: z.number().int().nonnegative().nullish(),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'developer', 'user', 'assistant']),
        content: z.union([z.string(), z.array(textPart)]),
      }),
    )
    .min(1),
  tools: z.union([z.null(), z.array(z.never()).length(0)]).optional(),
});

export interface ParsedRequest {
  model?: string;
  /** Text to tokenize (BOS added), token ids as given, or chat messages for the template. */
  prompt: { text: string } | { tokens: number[] } | { messages: ChatMessage[] };
  stream: boolean;
  includeUsage: boolean;
  /** Absent: completions 16 (OpenAI's default), chat the rest of the sequence's context. */
  maxTokens?: number;
  ignoreEos: boolean;
  temperature: number;
  topP: number;
  topK: number;
  seed?: number;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = issue.path.join('.') || null;
  throw new BadRequest(`${param ? `${param}: ` : ''}${issue.message}`, param);
}

function common(b: z.infer<typeof completionBody> | z.infer<typeof chatBody>): Omit<ParsedRequest, 'prompt' | 'maxTokens'> {
  return {
    model: b.model,
    stream: b.stream ?? false,
    includeUsage: b.stream_options?.include_usage ?? false,
    ignoreEos: b.ignore_eos ?? false,
    temperature: b.temperature ?? 1,
    topP: b.top_p ?? 1,
    topK: b.top_k ?? 0,
    seed: b.seed ?? undefined,
  };
}

export function parseCompletionRequest(body: unknown): ParsedRequest {
  const b = parse(completionBody, body);
  const prompt = typeof b.prompt === 'string' ? { text: b.prompt } : typeof b.prompt[0] === 'string' ? { text: b.prompt[0] } : { tokens: b.prompt as number[] };
  return { ...common(b), prompt, maxTokens: b.max_tokens ?? 16 };
}

export function parseChatRequest(body: unknown): ParsedRequest {
  const b = parse(chatBody, body);
  const messages: ChatMessage[] = b.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(''),
  }));
  return { ...common(b), prompt: { messages }, maxTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined };
}
