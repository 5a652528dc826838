/** The JSON of OpenAI's completion and chat completion answers and stream chunks, as the OpenAI API documents them. */
import { randomBytes } from 'node:crypto';
import type { FinishReason } from './types';

export type Api = 'completions' | 'chat';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export const usageOf = (promptTokens: number, completionTokens: number): Usage => ({
  prompt_tokens: promptTokens,
  completion_tokens: completionTokens,
  total_tokens: promptTokens + completionTokens,
});

/** One answer's id, creation time and model, shared by all its chunks. */
export interface AnswerHead {
  id: string;
  created: number;
  model: string;
}

export const answerHead = (api: Api, model: string): AnswerHead => ({
  id: `${api === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomBytes(12).toString('hex')}`,
  created: Math.floor(Date.now() / 1000),
  model,
});

/** The whole answer of a request with stream false. */
export function fullAnswer(api: Api, head: AnswerHead, text: string, finishReason: FinishReason, usage: Usage): object {
  const choice =
    api === 'chat'
      ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: finishReason }
      : { index: 0, text, logprobs: null, finish_reason: finishReason };
  return { ...head, object: api === 'chat' ? 'chat.completion' : 'text_completion', choices: [choice], usage };
}

const chunkObject = (api: Api) => (api === 'chat' ? 'chat.completion.chunk' : 'text_completion');

/** A chat stream's first chunk: the assistant's role, no content yet (as OpenAI sends it). */
export const roleChunk = (head: AnswerHead): object => ({
  ...head,
  object: chunkObject('chat'),
  choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
});

/** A chunk carrying a piece of text (one token's, or a few when a character spans tokens). */
export function textChunk(api: Api, head: AnswerHead, text: string): object {
  const choice = api === 'chat' ? { index: 0, delta: { content: text }, logprobs: null, finish_reason: null } : { index: 0, text, logprobs: null, finish_reason: null };
  return { ...head, object: chunkObject(api), choices: [choice] };
}

/** The chunk that says why the answer ended. */
export function finishChunk(api: Api, head: AnswerHead, finishReason: FinishReason): object {
  const choice = api === 'chat' ? { index: 0, delta: {}, logprobs: null, finish_reason: finishReason } : { index: 0, text: '', logprobs: null, finish_reason: finishReason };
  return { ...head, object: chunkObject(api), choices: [choice] };
}

/** With stream_options.include_usage: the last chunk before [DONE], no choices. */
export const usageChunk = (api: Api, head: AnswerHead, usage: Usage): object => ({ ...head, object: chunkObject(api), choices: [], usage });

/** OpenAI's error body. */
export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null): object {
  return { error: { message, type, param, code } };
}
