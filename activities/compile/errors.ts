/** Bad input is non-retryable: retrying a broken model only burns cluster time (the failure types: workflows/failures.ts). */
export { invalidModel } from '../../workflows/failures';

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
