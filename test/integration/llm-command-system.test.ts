/**
 * An OpenAI-compatible peer server through `serving.system: command`: llm-katan (PyPI; an echo backend with set
 * delays, in .venv-systems from `npm run setup`). Started pinned like any command system; for serving.api openai-*
 * no KServe metadata is read: the model id comes from serving.model or GET /v1/models.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { startSystem, SystemUnavailableError, type StartedSystem } from '../../activities/serve/systems/start-system';

const KATAN = path.resolve(__dirname, '..', '..', '.venv-systems', 'bin', 'llm-katan');
const serving = (extra: object = {}) =>
  ({
    system: 'command',
    api: 'openai-chat',
    command: { run: `${KATAN} --backend echo --host 127.0.0.1 --port {port} --model echo-model --ttft-ms 50 --itl-ms 10`, ready: '/health' },
    instances: 1,
    intraOpThreads: 1,
    interOpThreads: 1,
    executionProvider: 'cpu',
    protocol: 'http',
    ...extra,
  }) as const;
const model = { path: '/unused.gguf', modelName: 'unused', inputs: [], outputs: [] };

beforeAll(() => {
  if (!existsSync(KATAN)) throw new Error(`${KATAN} is missing: run \`npm run setup\``);
});

test('llm-katan as a command system: the model id it lists, no statistics, a streamed chat answer', async () => {
  let sys: StartedSystem | undefined;
  try {
    sys = await startSystem(serving(), model, '0');
    expect(sys.modelName).toBe('echo-model');
    await sys.markWindowStart();
    expect(await sys.stats()).toBeNull();
    const res = await fetch(`${sys.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer EMPTY' },
      body: JSON.stringify({ model: sys.modelName, messages: [{ role: 'user', content: 'hello there' }], max_tokens: 4, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/data: \[DONE\]/);
  } finally {
    await sys?.stop();
  }
});

test('serving.model names the model without asking; a KServe-only system refuses an OpenAI api', async () => {
  const sys = await startSystem(serving({ model: 'as-configured' }), model, '0');
  try {
    expect(sys.modelName).toBe('as-configured');
  } finally {
    await sys.stop();
  }
  await expect(startSystem({ ...serving(), system: 'triton' }, model, '0')).rejects.toThrow(SystemUnavailableError);
});
