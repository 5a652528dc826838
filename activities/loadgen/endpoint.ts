/** KServe v2 URLs and the node:http(s) module that serves them. */
import * as http from 'node:http';
import * as https from 'node:https';

export interface Endpoint {
  /** http or https, chosen by the base URL's scheme. */
  mod: typeof http | typeof https;
  hostname: string;
  port: number;
  /** Path of the model resource, e.g. /v2/models/mlp (base URL prefix kept). */
  modelPath: string;
  /** Full URL of the model resource, for error messages. */
  modelUrl: string;
}

/** A server's base URL, checked: http:// or https://. */
export function serverUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`invalid server URL "${baseUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`server URL "${baseUrl}" must be http:// or https://`);
  }
  return url;
}

export function modelEndpoint(baseUrl: string, modelName: string): Endpoint {
  const url = serverUrl(baseUrl);
  if (!modelName) throw new Error('model name is empty');
  const isHttps = url.protocol === 'https:';
  const prefix = url.pathname.replace(/\/+$/, '');
  const modelPath = `${prefix}/v2/models/${encodeURIComponent(modelName)}`;
  return {
    mod: isHttps ? https : http,
    // URL keeps IPv6 literals bracketed; node:http wants them bare.
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : isHttps ? 443 : 80,
    modelPath,
    modelUrl: `${url.origin}${modelPath}`,
  };
}

/** Readable text for a socket-level failure (code first: it is what users search for). */
export function describeNetError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset by server (ECONNRESET)';
    case 'ENOTFOUND':
      return 'host not found (ENOTFOUND)';
    case 'ETIMEDOUT':
      return 'connection timed out (ETIMEDOUT)';
    case 'EHOSTUNREACH':
      return 'host unreachable (EHOSTUNREACH)';
    default:
      return e?.code ? `${e.message} (${e.code})` : String(e?.message ?? err);
  }
}

/**
 * KServe errors are {"error": "..."}, OpenAI-compatible ones {"error": {"message": "..."}}, FastAPI's {"detail": "..."}:
 * show that message, else the start of the body.
 */
export function describeErrorBody(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown; detail?: unknown };
    const message = typeof j?.error === 'string' ? j.error : ((j?.error as { message?: unknown } | null)?.message ?? j?.detail);
    if (typeof message === 'string') return message.slice(0, 200);
  } catch {
    // not JSON: fall through
  }
  const t = text.trim().replace(/\s+/g, ' ');
  if (!t) return '(empty body)';
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}
