/**
 * Attaching to an external OpenAI-compatible server (serving.endpoint with serving.api openai-*): its base URL
 * answers GET /v1/models, listing serving.model. Errors name the URL and what it listed. The endpoint is the
 * server's base URL (http://host:port); a trailing /v1 is accepted and stripped here (openaiBaseUrl), so the
 * sender appends /v1/completions or /v1/chat/completions to what this returns.
 */
import { describeErrorBody, describeNetError } from '../loadgen/endpoint';
import { ExternalServerError, getText } from './external';
import { openaiAuthorization } from './openai-auth';


/** `http://h:8000/v1/` -> `http://h:8000`: the base the /v1/... paths go after. */
export function openaiBaseUrl(endpoint: string): string {
  return endpoint.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The model ids a GET /v1/models reply lists ({"data": [{"id": ...}, ...]}), or undefined if it is not one. */
export function listedModels(text: string): string[] | undefined {
  try {
    const doc = JSON.parse(text) as { data?: unknown };
    if (!Array.isArray(doc.data)) return undefined;
    return doc.data.flatMap((m) => (m && typeof m === 'object' && typeof (m as { id?: unknown }).id === 'string' ? [(m as { id: string }).id] : []));
  } catch {
    return undefined;
  }
}

/** Checks the server lists `modelName`; resolves with its base URL, else throws ExternalServerError. */
export async function attachOpenAiServer(endpoint: string, modelName: string): Promise<string> {
  const base = openaiBaseUrl(endpoint);
  let models: URL;
  try {
    models = new URL(`${base}/v1/models`);
  } catch {
    throw new ExternalServerError(`serving.endpoint "${endpoint}" is not a valid URL`);
  }
  let reply: { status: number; text: string };
  try {
    reply = await getText(models, { authorization: openaiAuthorization() });
  } catch (e) {
    throw new ExternalServerError(`serving.endpoint ${endpoint}: GET ${models.href} failed: ${describeNetError(e)}`);
  }
  if (reply.status !== 200) {
    throw new ExternalServerError(`serving.endpoint ${endpoint}: GET ${models.href} returned HTTP ${reply.status} (not ready, or not an OpenAI-compatible server): ${describeErrorBody(reply.text)}`);
  }
  const ids = listedModels(reply.text);
  if (ids === undefined) {
    throw new ExternalServerError(`serving.endpoint ${endpoint}: GET ${models.href} did not list models as OpenAI's API does ({"data": [{"id": ...}]}): ${describeErrorBody(reply.text)}`);
  }
  if (!ids.includes(modelName)) {
    throw new ExternalServerError(`serving.endpoint ${endpoint}: serving.model "${modelName}" is not among the models GET ${models.href} lists: ${ids.length ? ids.map((i) => `"${i}"`).join(', ') : 'none'}`);
  }
  return base;
}
