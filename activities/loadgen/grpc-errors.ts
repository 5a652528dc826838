/** A failed gRPC call in words: the status name, then what went wrong (stable text, so samples dedupe). */
import * as grpc from '@grpc/grpc-js';
import { describeNetError } from './endpoint';

const NET_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH'];

/** e.g. "UNAVAILABLE: connection refused (ECONNREFUSED)", "INVALID_ARGUMENT: unknown input 'x' ...". */
export function describeGrpcError(err: Partial<grpc.StatusObject> | Error): string {
  const e = err as Partial<grpc.StatusObject> & { message?: string };
  const name = e.code !== undefined ? (grpc.status[e.code] ?? `status ${e.code}`) : 'UNKNOWN';
  const details = String(e.details ?? e.message ?? '').trim();
  // grpc-js words a failed connection with the socket error inside; keep only the cause.
  const net = NET_CODES.find((c) => details.includes(c));
  if (net) return `${name}: ${describeNetError({ code: net })}`;
  if (!details) return name;
  const oneLine = details.replace(/\s+/g, ' ');
  return `${name}: ${oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine}`;
}
