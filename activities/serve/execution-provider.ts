/** Which onnxruntime execution providers this host's onnxruntime-node can serve with. */
import { listSupportedBackends } from 'onnxruntime-node';

/** Providers bundled with the installed onnxruntime-node (e.g. cpu, webgpu; cuda only where installed with it). */
export function availableExecutionProviders(): string[] {
  return listSupportedBackends()
    .filter((b) => b.bundled)
    .map((b) => b.name);
}

/** Null when `name` can be used here; else a message naming what can. */
export function executionProviderProblem(name: string, available: readonly string[] = availableExecutionProviders()): string | null {
  if (available.includes(name)) return null;
  return `serving.executionProvider: "${name}" is not available in this onnxruntime-node; available: ${available.join(', ')}`;
}
