/** The compile step's uses of onnxruntime-node: validate, optimise, smoke-run. */
import * as fs from 'node:fs/promises';
import { InferenceSession, env } from 'onnxruntime-node';
import { errorMessage, invalidModel } from './errors';
import type { CompileSpec, TensorInfo } from './types';
import { zeroFeeds } from './zero-feed';

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

/** Runs the artifact once on zeros (batch 1); a failure means it cannot be served. */
export async function smokeRun(modelPath: string, inputs: TensorInfo[], label: string): Promise<void> {
  let feeds;
  try {
    feeds = zeroFeeds(inputs);
  } catch (e) {
    throw invalidModel(`${label}: ${errorMessage(e)}`);
  }
  // The artifact is already optimised; "disabled" checks the graph exactly as saved.
  const session = await InferenceSession.create(modelPath, { graphOptimizationLevel: 'disabled', executionProviders: ['cpu'] });
  try {
    await session.run(feeds);
  } catch (e) {
    throw invalidModel(`${label}: smoke run on zero input (batch 1) failed: ${errorMessage(e)}`);
  } finally {
    await session.release();
  }
}
