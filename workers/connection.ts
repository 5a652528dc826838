/**
 * Where the Temporal server is: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE, with optional mTLS (TEMPORAL_TLS_CERT,
 * TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME) or an API key (TEMPORAL_API_KEY) for a remote
 * cluster or Temporal Cloud.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';

export interface TemporalTarget {
  address: string;
  namespace: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

const read = (file: string, what: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${what}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
};

/** A loopback address: a server there can be the embedded one, started by servebench; any other is someone's server. */
export function isLocalAddress(address: string): boolean {
  const [ip, port] = address.split(':');
  return /^(127\.\d+\.\d+\.\d+|localhost)$/.test(ip) && /^\d+$/.test(port ?? '');
}

export function temporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const target: TemporalTarget = {
    address: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
  };
  if (env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_KEY) {
    if (!env.TEMPORAL_TLS_CERT || !env.TEMPORAL_TLS_KEY) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together');
    target.tls = {
      clientCertPair: { crt: read(env.TEMPORAL_TLS_CERT, 'TEMPORAL_TLS_CERT'), key: read(env.TEMPORAL_TLS_KEY, 'TEMPORAL_TLS_KEY') },
      serverRootCACertificate: env.TEMPORAL_TLS_CA ? read(env.TEMPORAL_TLS_CA, 'TEMPORAL_TLS_CA') : undefined,
      serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME || undefined,
    };
  }
  if (env.TEMPORAL_API_KEY) {
    target.apiKey = env.TEMPORAL_API_KEY;
    target.tls ??= true;
  }
  return target;
}
