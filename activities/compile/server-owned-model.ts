/**
 * An external OpenAI-compatible endpoint may be benchmarked without a model in the config (configs/schema.ts
 * checkModelGiven): the server owns its model, serving.model names it, and there is nothing to compile. The
 * compile step then hands on this empty artifact (no file, no inputs) so the job goes on to its measurement.
 */
import type { Config } from '../../configs/schema';
import type { Artifact } from './types';

export function serverOwnedModel(config: Config): Artifact | undefined {
  const m = config.model;
  if (m?.generate !== undefined || m?.path !== undefined) return undefined;
  return {
    hash: 'none', path: '', cached: true, compileSeconds: 0, bytes: 0, sourceBytes: 0, parameters: 0, flops: null,
    inputs: [], outputs: [], modelName: config.serving.model ?? '',
  };
}
