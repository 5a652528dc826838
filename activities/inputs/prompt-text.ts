/**
 * Text of a given length in tokens, calibrated by counting with a tokenizer: seeded words from PROMPT_WORDS are
 * appended after an optional fixed prefix, the longest run of them within the target is found by counting, and
 * a last word that adds exactly the missing token is looked for when the next word would overshoot (GuideLLM's
 * synthetic data fits its text to a token count the same way). Pure given the tokenizer.
 */
import type { Uniform } from '../rng';
import { PROMPT_WORDS } from './prompt-words';
import type { Tokenizer } from './tokenizer';

export interface FittedText {
  text: string;
  /** Its tokens by the tokenizer: `target`, or just below it where no word fits the last gap. */
  tokens: number;
}

/** How many single words are tried to fill a last one-token gap before settling a token short. */
const FILL_TRIES = 64;

/**
 * `prefix` (may be '') followed by words, `target` tokens in all by `tokenizer` (the prefix counts towards it).
 * Words come from `u`; the same stream state gives the same text.
 */
export function fitText(target: number, tokenizer: Tokenizer, u: Uniform, prefix = ''): FittedText {
  const words: string[] = [];
  const pick = () => PROMPT_WORDS[Math.floor(u() * PROMPT_WORDS.length)];
  const textOf = (m: number) => {
    while (words.length < m) words.push(pick());
    const body = words.slice(0, m).join(' ');
    return prefix === '' ? body : m === 0 ? prefix : `${prefix} ${body}`;
  };
  const countOf = (m: number) => tokenizer.count(textOf(m));
  // Step the word count by the miss over the tokens per word seen so far (words are about one token each, so a
  // count or two of the whole text, not a bisection's dozen), then walk to the longest text within the target.
  const p = prefix === '' ? 0 : tokenizer.count(prefix);
  let m = Math.max(0, target - p);
  let c = countOf(m);
  for (let i = 0; i < 8 && c !== target; i++) {
    const perWord = m > 0 && c > p ? (c - p) / m : 1;
    const next = Math.max(0, Math.round(m + (target - c) / perWord));
    if (next === m) break;
    m = next;
    c = countOf(m);
  }
  while (c > target && m > 0) c = countOf(--m); // every word adds at least one token: this ends
  while (c < target) {
    const more = countOf(m + 1);
    if (more > target) break;
    m++;
    c = more;
  }
  const lo = m;
  const text = textOf(lo);
  const tokens = tokenizer.count(text);
  if (tokens >= target) return { text, tokens };
  // The next word adds more than the gap: try words that add exactly it.
  const start = Math.floor(u() * PROMPT_WORDS.length);
  for (let i = 0; i < FILL_TRIES; i++) {
    const w = PROMPT_WORDS[(start + i) % PROMPT_WORDS.length];
    const filled = text === '' ? w : `${text} ${w}`;
    const n = tokenizer.count(filled);
    if (n === target) return { text: filled, tokens: n };
  }
  return { text, tokens };
}
