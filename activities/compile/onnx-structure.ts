/**
 * Checks that a decoded ModelProto is whole: protobuf happily decodes a file cut at a field boundary, so a
 * truncated model can decode without error and fail only inside onnxruntime. Pure.
 */
import type { onnx } from 'onnx-proto';
import { toNum } from './flops';

/** Bytes per element of the TensorProto data types with a fixed size (keyed by the enum's number). */
const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };
const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

export interface Structure {
  /** Why the model is not whole, or null. */
  problem: string | null;
  /** Files its initializers keep their data in (external data), relative to the model's directory. */
  externalFiles: string[];
}

export function checkStructure(model: onnx.ModelProto): Structure {
  const externalFiles: string[] = [];
  const graph = model.graph;
  const result = (problem: string | null): Structure => ({ problem, externalFiles });
  if (!graph) return result('it has no graph');
  if ((model.opsetImport ?? []).length === 0) return result('it has no opset_import (the file looks truncated)');
  for (const t of graph.initializer ?? []) {
    if (t.dataLocation === EXTERNAL) {
      const location = (t.externalData ?? []).find((e) => e.key === 'location')?.value;
      if (!location) return result(`initializer "${t.name}" keeps its data externally but names no location`);
      if (!externalFiles.includes(location)) externalFiles.push(location);
      continue;
    }
    const size = ELEMENT_BYTES[t.dataType ?? 0];
    const raw = t.rawData?.length ?? 0;
    const want = (t.dims ?? []).reduce<number>((n, d) => n * toNum(d), 1) * (size ?? 0);
    if (size !== undefined && raw > 0 && raw !== want) return result(`initializer "${t.name}" holds ${raw} bytes but its dims need ${want} (the file looks truncated)`);
  }
  // Every name a node reads is a graph input, an initializer or some node's output ('' = an omitted optional input).
  const known = new Set<string>(['']);
  for (const v of graph.input ?? []) known.add(v.name ?? '');
  for (const t of graph.initializer ?? []) known.add(t.name ?? '');
  for (const s of graph.sparseInitializer ?? []) known.add(s.values?.name ?? '');
  for (const n of graph.node ?? []) for (const y of n.output ?? []) known.add(y);
  for (const [i, n] of (graph.node ?? []).entries()) {
    const missing = (n.input ?? []).find((x) => !known.has(x));
    if (missing !== undefined) {
      return result(`node ${i} (${n.opType}${n.name ? ` "${n.name}"` : ''}) reads "${missing}", which no input, initializer or node provides (the file looks truncated)`);
    }
  }
  // Each operator domain a node uses is imported (a cut between two opset_import entries drops one).
  const domains = new Set((model.opsetImport ?? []).map((o) => (o.domain || 'ai.onnx')));
  for (const f of model.functions ?? []) domains.add(f.domain || 'ai.onnx');
  const stray = (graph.node ?? []).find((n) => !domains.has(n.domain || 'ai.onnx'));
  if (stray) return result(`node ${stray.opType} uses operator domain "${stray.domain}", which no opset_import declares (the file looks truncated)`);
  if ((graph.output ?? []).length === 0) return result('its graph has no outputs (the file looks truncated)');
  const unmade = (graph.output ?? []).find((o) => !known.has(o.name ?? ''));
  if (unmade) return result(`graph output "${unmade.name}" is produced by no node (the file looks truncated)`);
  return result(null);
}
