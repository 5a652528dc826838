/** Bad input is non-retryable: retrying a broken model only burns cluster time. */
import { ApplicationFailure } from '@temporalio/common';

export const INVALID_MODEL = 'InvalidModel';

export function invalidModel(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, INVALID_MODEL);
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
