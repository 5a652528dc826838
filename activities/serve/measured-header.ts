/**
 * The header servebench's load generator sends on the requests of its measured window (over gRPC: the same key as
 * call metadata): the built-in server then counts exactly those in its statistics (stats.ts), with no reset racing
 * the requests around the window start.
 */
export const MEASURED_HEADER = 'servebench-measured';
