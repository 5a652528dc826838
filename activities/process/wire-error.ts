/**
 * Errors across a child-process boundary: an ApplicationFailure keeps its type and non-retryable flag (a bad
 * model must not be retried because it failed in a child), any other error its name, message and stack.
 */
import { ApplicationFailure } from '@temporalio/common';

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** ApplicationFailure only. */
  failureType?: string;
  nonRetryable?: boolean;
}

export function toWire(e: unknown): WireError {
  if (e instanceof ApplicationFailure) return { name: e.name, message: e.message, stack: e.stack, failureType: e.type ?? '', nonRetryable: e.nonRetryable === true };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

export function fromWire(w: WireError): Error {
  const e =
    w.failureType !== undefined
      ? ApplicationFailure.create({ message: w.message, type: w.failureType || undefined, nonRetryable: w.nonRetryable ?? false })
      : Object.assign(new Error(w.message), { name: w.name });
  // Where it went wrong is in the child.
  if (w.stack) e.stack = w.stack;
  return e;
}
