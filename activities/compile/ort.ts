/** The compile step's uses of onnxruntime-node: validate, optimise, smoke-run. */
import * as fs from 'node:fs/promises';
import { InferenceSession, env } from 'onnxruntime-node';
import { errorMessage, invalidModel } from './errors';
import type { InputSettings } from '../inputs/prepare';
import { smokeFeeds } from './smoke-feed';
import type { CompileSpec, TensorInfo } from './types';

export function ortVersion(): string {
  return env.versions.node ?? env.versions.common;
}

/** Loads the model without optimising it; a rejection is the model's fault, so non-retryable. */
export async function validateWithOrt(bytes: Uint8Array, label: string): Promise<void> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', executionProviders: ['cpu'] });
  } catch (e) {
    throw invalidModel(`${label}: onnxruntime rejected the model: ${errorMessage(e)}`);
  }
  await session.release();
}

/**
 * Optimises `bytes` and writes the result to `outPath`. Returns false when
 * onnxruntime did not write the file (then the caller falls back to the source).
 */
export async function optimizeWithOrt(
  bytes: Uint8Array,
  level: CompileSpec['graphOptimization'],
  outPath: string,
): Promise<boolean> {
  const session = await InferenceSession.create(bytes, {
    graphOptimizationLevel: level,
    optimizedModelFilePath: outPath,
    executionProviders: ['cpu'],
    // Level "all" logs a warning that the saved model may be hardware specific; artifacts are
    // cached per cluster hardware class, so that is expected, not news for every compile.
    logSeverityLevel: 3,
  });
  await session.release();
  return fs.stat(outPath).then((s) => s.size > 0, () => false);
}

/**
 * Runs the artifact once on the first request the load generator will send (the config's shapes and values);
 * a failure means it cannot be served as configured.
 */
export async function smokeRun(modelPath: string, inputs: TensorInfo[], label: string, settings: InputSettings): Promise<void> {
  let feeds, shapes;
  try {
    ({ feeds, shapes } = smokeFeeds(inputs, settings));
  } catch (e) {
    throw invalidModel(`${label}: ${errorMessage(e)}`);
  }
  // The artifact is already optimised; "disabled" checks the graph exactly as saved.
  const session = await InferenceSession.create(modelPath, { graphOptimizationLevel: 'disabled', executionProviders: ['cpu'] });
  try {
    await session.run(feeds);
  } catch (e) {
    throw invalidModel(`${label}: smoke run (${shapes}) failed: ${errorMessage(e)}`);
  } finally {
    await session.release();
  }
}
