/** Public API of the compile step. */
export { compileModel, type CompileOptions } from './compile';
export type { Artifact, CompileSpec, TensorInfo } from './types';
export { buildMlpModel, mlpModelName, mlpSpecProblems, type GeneratedModel, type MlpSpec } from './mlp';
export { buildCnnModel, cnnCost, cnnModelName, cnnSpecProblems, type CnnSpec } from './cnn';
export { buildTransformerModel, transformerCost, transformerModelName, transformerSpecProblems, type TransformerSpec } from './transformer';
export { buildGeneratedModel, generateSpecProblems, generatedModelName, FAMILIES, type GenerateSpec } from './generate';
export type { Dtype } from './onnx-build';
export { readModelInfo, NotOnnxModelError, type ModelInfo } from './model-info';
