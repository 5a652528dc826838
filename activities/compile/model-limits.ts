/**
 * Whether a generated model can be built and served on a host, decided from its spec before anything is built.
 * Pure: the host's memory is passed in (activities/probe/host-limits.ts).
 */
import type { IssueAt } from '../../configs/errors';
import type { Config } from '../../configs/schema';
import { bytes, type HostFacts } from '../loadgen/limits';
import { generatedParameters, generateSpecProblems, type GenerateSpec } from './generate';
import { bytesPer } from './onnx-build';

/**
 * Issues of one job's generated model (none for model.path): the generator's own problems (ONNX's 2 GiB limit
 * among them), then memory. The estimate is a floor, so only a model that surely cannot fit is refused: the
 * compile holds the weight tensors and their encoded ONNX bytes (2 x weights), the server one copy per
 * onnxruntime session (serving.instances) plus the model file it read (instances + 1 x weights).
 */
export function modelLimitIssues(config: Config, host: Pick<HostFacts, 'memoryBytes'>): IssueAt[] {
  const spec = config.model.generate as GenerateSpec | undefined;
  if (spec === undefined) return [];
  const path = ['model', 'generate'];
  const problems = generateSpecProblems(spec);
  if (problems.length > 0) return problems.map((message) => ({ path, message }));
  const parameters = generatedParameters(spec);
  const weights = parameters * bytesPer(spec.dtype);
  const instances = config.serving.endpoint === undefined ? config.serving.instances : 0;
  const needed = weights * Math.max(2, instances + 1);
  if (needed <= host.memoryBytes) return [];
  const serving = instances > 0 ? ` and serve with ${instances} instance${instances === 1 ? '' : 's'}` : '';
  return [{
    path,
    message: `a model of ${parameters.toLocaleString('en-US')} ${spec.dtype} parameters (${bytes(weights)} of weights) needs at least ${bytes(needed)} of memory to compile${serving}, more than this host's ${bytes(host.memoryBytes)}`,
  }];
}
