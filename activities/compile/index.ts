/** Public API of the compile step. */
export { compileModel, type CompileOptions } from './compile';
export type { Artifact, CompileSpec, TensorInfo } from './types';
export { buildMlpModel, mlpModelName, mlpSpecProblems, type GeneratedModel, type MlpSpec } from './mlp';
export { readModelInfo, NotOnnxModelError, type ModelInfo } from './model-info';
export { INVALID_MODEL } from './errors';
