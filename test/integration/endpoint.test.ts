/**
 * serving.endpoint: the measure activity attaches to an external KServe v2 server instead
 * of starting one. The "external" server here is the built-in one, started in-process.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { buildServeJs } from '../support/serve-js';
import * as http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../configs/load';
import { buildMlpModel } from '../../activities/compile/mlp';
import type { Artifact } from '../../activities/compile/types';
import { createFollowerActivities } from '../../activities/follower';
import type { MeasureResult } from '../../activities/types';
import { startServer, type RunningServer } from '../../activities/serve/server';
import { attachExternalServer, ExternalServerError } from '../../activities/serve/external';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'endpoint-'));
  buildServeJs(['instance-worker.ts']);
  const modelPath = path.join(dir, 'ext.onnx');
  writeFileSync(modelPath, buildMlpModel({ family: 'mlp', layers: 2, hidden: 16, inputShape: [8], outputSize: 2, dtype: 'float32', seed: 1 }).bytes);
  server = await startServer({ modelPath, modelName: 'ext', instances: 1, intraOpThreads: 1, interOpThreads: 1 });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const configFor = (endpoint: string, model = 'ext') =>
  parseConfig(
    `name: ext
model:
  generate: { family: mlp, layers: 2, hidden: 8, inputShape: [8] }
serving:
  endpoint: ${endpoint}
  model: ${model}
workload:
  mode: concurrency
  concurrency: 2
  warmup: 100ms
  duration: 500ms
`,
    'ext.yaml',
  );

// An external endpoint never reads the artifact: one that does not exist proves it.
const noArtifact = { path: '/nonexistent/missing.onnx', modelName: 'not-used' } as unknown as Artifact;

function measure(endpoint: string, model?: string): Promise<MeasureResult> {
  const activities = createFollowerActivities({ cluster: 'local', node: 'n1', cacheDir: path.join(tmpdir(), 'endpoint-cache') });
  return new MockActivityEnvironment().run(activities.measure as (i: unknown) => Promise<MeasureResult>, { jobId: 'j1', config: configFor(endpoint, model), artifact: noArtifact });
}

test('measures an external KServe v2 server: load only, no server stats', async () => {
  const result = await measure(server.url);
  expect(result.serverStats).toBeNull();
  expect(result.load.aborted).toBeFalsy();
  expect(result.load.errors).toBe(0);
  expect(result.load.ok).toBeGreaterThan(0);
  // The requests really went to that server.
  expect(server.stats().requests).toBeGreaterThan(0);
}, 30_000);

test('an unreachable endpoint is a non-retryable error naming the URL and what failed', async () => {
  // Port 9 (discard): nothing listens there on a test host.
  const err = await measure('http://127.0.0.1:9').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).nonRetryable).toBe(true);
  expect((err as Error).message).toBe(
    'serving.endpoint http://127.0.0.1:9: GET http://127.0.0.1:9/v2/health/ready failed: connection refused (ECONNREFUSED)',
  );
});

test('a model the server does not have, and a server that is not KServe v2, are named', async () => {
  await expect(attachExternalServer(server.url, 'nope')).rejects.toThrow(
    new RegExp(`serving.model "nope": GET ${server.url}/v2/models/nope returned HTTP 404`),
  );
  const other = http.createServer((_req, res) => {
    // Ready says 200 (as any web server might); the model URL answers HTML, not v2 metadata.
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html>hello</html>');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
  try {
    const err = await attachExternalServer(url, 'ext').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalServerError);
    expect((err as Error).message).toContain(`serving.endpoint ${url}, serving.model "ext": GET ${url}/v2/models/ext returned a body that is not JSON`);
  } finally {
    await new Promise((r) => other.close(r));
  }
});

test('an execution provider this onnxruntime lacks is a non-retryable InvalidConfig before any server starts', async () => {
  const config = parseConfig(
    `name: ep
model:
  generate: { family: mlp, layers: 2, hidden: 8, inputShape: [8] }
serving:
  executionProvider: nosuch
workload:
  mode: concurrency
  concurrency: 1
`,
    'ep.yaml',
  );
  const activities = createFollowerActivities({ cluster: 'local', node: 'n1', cacheDir: path.join(tmpdir(), 'endpoint-cache') });
  const err = await new MockActivityEnvironment()
    .run(activities.measure as (i: unknown) => Promise<MeasureResult>, { jobId: 'j2', config, artifact: noArtifact })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).type).toBe('InvalidConfig');
  expect((err as ApplicationFailure).nonRetryable).toBe(true);
  expect((err as Error).message).toMatch(/^serving\.executionProvider: "nosuch" is not available in this onnxruntime-node; available: cpu.* \(node n1\)$/);
});
