/**
 * Every ApplicationFailure type servebench throws, with its constructor, and the questions asked of failures
 * (which type, retryable or not). Pure and workflow-safe: workflow code, activities and the CLI share it, so
 * a type is never a string typed by hand.
 */
import { ApplicationFailure } from '@temporalio/common';

export const FAILURE = {
  /** The config cannot work: a bad value, a device no cluster has, a load beyond the limits, settings the model does not fit. */
  invalidConfig: 'InvalidConfig',
  /** The model cannot be built, loaded or run. */
  invalidModel: 'InvalidModel',
  /** serving.endpoint does not answer as a KServe v2 server serving serving.model. */
  externalServerUnavailable: 'ExternalServerUnavailable',
  /** serving.system is not installed on the follower. */
  systemUnavailable: 'SystemUnavailable',
  /** serving.system did not get ready; its log tail is in the message. */
  serverStartFailed: 'ServerStartFailed',
} as const;

export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

/**
 * No retry fixes any of them. Each is thrown non-retryable, and the retry policies name them as well: a failure
 * rebuilt from another process or an older worker may carry the type without the flag.
 */
export const NON_RETRYABLE: FailureType[] = Object.values(FAILURE);

const nonRetryable = (type: FailureType) => (message: string): ApplicationFailure => ApplicationFailure.nonRetryable(message, type);

export const invalidConfig = nonRetryable(FAILURE.invalidConfig);
export const invalidModel = nonRetryable(FAILURE.invalidModel);
export const externalServerUnavailable = nonRetryable(FAILURE.externalServerUnavailable);
export const systemUnavailable = nonRetryable(FAILURE.systemUnavailable);
export const serverStartFailed = nonRetryable(FAILURE.serverStartFailed);

/**
 * Failures a retry on another device may fix, thrown retryable. Not in FAILURE: every type there is non-retryable.
 * `ServerCrashed`: the server a measurement drove died under it (killed, out of memory); the job is placed again.
 */
export const RETRYABLE_FAILURE = { serverCrashed: 'ServerCrashed' } as const;

export const serverCrashed = (message: string): ApplicationFailure => ApplicationFailure.retryable(message, RETRYABLE_FAILURE.serverCrashed);

/** The first ApplicationFailure in a failure's cause chain (WorkflowFailedError → ActivityFailure → ApplicationFailure). */
export function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 20; e = e.cause, depth++) {
    if (e instanceof ApplicationFailure) return e;
  }
  return undefined;
}

/** Whether the failure (anywhere in its cause chain) is of this type. */
export const isFailure = (err: unknown, type: FailureType): boolean => applicationFailureOf(err)?.type === type;

/** Whether retrying cannot help: the application failure inside is flagged non-retryable or of a non-retryable type. */
export function isNonRetryable(err: unknown): boolean {
  const f = applicationFailureOf(err);
  return f !== undefined && (f.nonRetryable || (NON_RETRYABLE as string[]).includes(f.type ?? ''));
}
