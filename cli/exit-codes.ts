/** Exit codes scripts can rely on (documented in the README). */
export const EXIT = {
  ok: 0,
  /** The benchmark ran but a job or the sweep failed, or a query failed at run time. */
  failed: 1,
  /** Bad input: config, arguments, SQL. Nothing was started. */
  invalid: 2,
  /** The Temporal server could not be reached or started. */
  unavailable: 3,
  /** Every job ran, but at least one produced no valid measurement (all requests failed, a saturated server, unmet run rules). */
  noValidMeasurement: 4,
  /** The sweep was cancelled (`servebench cancel`) while `run` waited for it; what finished is summarized. */
  cancelled: 5,
  /** `compare --fail-on-regression PCT`: a matched job is significantly worse than the baseline by more than PCT. */
  regression: 6,
  interrupted: 130,
} as const;

/** An error that ends the command with a given exit code and a message for the user. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}
