/** Links into the Temporal Web UI, when we know where it is. */
import type { Stack } from '../workers/stack';

export function uiBaseUrl(stack: Pick<Stack, 'server'>): string | null {
  return stack.server?.uiUrl ?? process.env.TEMPORAL_UI_URL ?? null;
}

export function uiWorkflowUrl(stack: Pick<Stack, 'server' | 'target'>, workflowId: string): string | null {
  const base = uiBaseUrl(stack);
  return base ? `${base}/namespaces/${encodeURIComponent(stack.target.namespace)}/workflows/${encodeURIComponent(workflowId)}` : null;
}
