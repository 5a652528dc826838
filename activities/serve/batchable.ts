/**
 * Whether dynamic batching can serve a model: requests are concatenated along dim 0, so every input and output
 * needs a dynamic first (batch) dimension. One rule for the server (from the session's metadata) and for the
 * preflight (from the model file), so `validate` refuses what the server would refuse.
 */

/** A tensor's name and shape, -1 for a dynamic dim. */
export interface ShapedTensor {
  name: string;
  shape: number[];
}

/** The tensors without a dynamic first dim (none: the model can be batched). */
export function fixedBatchTensors(tensors: ShapedTensor[]): ShapedTensor[] {
  return tensors.filter((t) => t.shape.length === 0 || t.shape[0] !== -1);
}

/** Why serving.batching cannot serve the model, and what to do instead; null when it can. */
export function unbatchableReason(model: string, tensors: ShapedTensor[]): string | null {
  const fixed = fixedBatchTensors(tensors).map((t) => `${t.name} [${t.shape.map((d) => (d === -1 ? '?' : d)).join(', ')}]`);
  if (fixed.length === 0) return null;
  return `model "${model}" cannot be batched: dynamic batching needs a dynamic first (batch) dimension on every input and output, and ${fixed.join(', ')} has none; remove serving.batching to serve it unbatched`;
}
