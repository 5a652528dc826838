/**
 * Attaching to an external KServe v2 server (serving.endpoint): check it is
 * ready and serves the model, with errors that name the URL and what failed.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { describeErrorBody, describeNetError } from '../loadgen/endpoint';
import { fetchModelMetadata, type ModelMetadata } from '../loadgen/request';

/** The endpoint cannot be benchmarked (unreachable, not ready, not KServe v2). Retrying will not help. */
export class ExternalServerError extends Error {}

const READY_TIMEOUT_MS = 10_000;

/** GET `url` (JSON accepted, `headers` added): its status and body text; a network error or no answer in 10 s rejects. */
export function getText(url: URL, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { agent: false, headers: { accept: 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(READY_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no response within ${READY_TIMEOUT_MS} ms`), { code: 'TIMEOUT' })));
    req.on('error', reject);
  });
}

/** GET /v2/health/ready, then the model's metadata; the metadata on success, else ExternalServerError. */
export async function attachExternalServer(endpoint: string, modelName: string): Promise<ModelMetadata> {
  const base = endpoint.replace(/\/+$/, '');
  let ready: URL;
  try {
    ready = new URL(`${base}/v2/health/ready`);
  } catch {
    throw new ExternalServerError(`serving.endpoint "${endpoint}" is not a valid URL`);
  }
  let reply: { status: number; text: string };
  try {
    reply = await getText(ready);
  } catch (e) {
    throw new ExternalServerError(`serving.endpoint ${endpoint}: GET ${ready.href} failed: ${describeNetError(e)}`);
  }
  if (reply.status !== 200) {
    throw new ExternalServerError(
      `serving.endpoint ${endpoint}: GET ${ready.href} returned HTTP ${reply.status} (not ready, or not a KServe v2 server): ${describeErrorBody(reply.text)}`,
    );
  }
  try {
    return await fetchModelMetadata(base, modelName);
  } catch (e) {
    throw new ExternalServerError(`serving.endpoint ${endpoint}, serving.model "${modelName}": ${(e as Error).message}`);
  }
}
