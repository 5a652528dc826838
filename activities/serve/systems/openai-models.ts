/**
 * A peer system serving an OpenAI-compatible API (serving.api openai-*): the model id its requests name. Such
 * servers have no KServe metadata; the id is serving.model where given, else the first of GET /v1/models.
 */
import type { Config } from '../../../configs/schema';
import { openaiAuthorization } from '../openai-auth';


export async function servedModelId(serving: Config['serving'], url: string): Promise<string> {
  if (serving.model !== undefined) return serving.model;
  const at = `${url}/v1/models`;
  const res = await fetch(at, { headers: { authorization: openaiAuthorization() }, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${at}: HTTP ${res.status} ${text.slice(0, 200)}; set serving.model to the model id it serves`);
  let id: unknown;
  try {
    id = (JSON.parse(text) as { data?: { id?: unknown }[] }).data?.[0]?.id;
  } catch {
    id = undefined;
  }
  if (typeof id !== 'string' || !id) throw new Error(`GET ${at} lists no model (${text.slice(0, 200)}); set serving.model to the model id it serves`);
  return id;
}
