/** A gRPC target as serving.endpoint gives it with serving.protocol grpc: host:port (an IPv6 host in brackets). Pure. */

export interface GrpcTarget {
  host: string;
  port: number;
}

/** The host and port of `text`, or why it is not a host:port. */
export function parseGrpcTarget(text: string): GrpcTarget | { problem: string } {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (!m) {
    return { problem: 'expected host:port with serving.protocol grpc (no scheme), e.g. 127.0.0.1:8001' };
  }
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return { problem: `expected a port in 1..65535, got ${m[2]}` };
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}
