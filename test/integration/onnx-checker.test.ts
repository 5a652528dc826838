/**
 * The onnx package's own checker (full_check: strict shape and type inference) accepts every generated
 * family in both dtypes. onnxruntime is lenient about some malformed graphs; other runtimes are not.
 * Needs .venv/bin/python with onnx, which scripts/setup.sh installs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildGeneratedModel, type GenerateSpec } from '../../activities/compile';

const PYTHON = path.join(__dirname, '../../.venv/bin/python');
const CHECK = 'import onnx, sys; [onnx.checker.check_model(onnx.load(p), full_check=True) for p in sys.argv[1:]]';

const SPECS: GenerateSpec[] = (['float32', 'float16'] as const).flatMap((dtype): GenerateSpec[] => [
  { family: 'mlp', layers: 2, hidden: 16, inputShape: [2, 4], dtype, seed: 1 },
  { family: 'cnn', inputShape: [3, 15, 15], layers: 3, channels: 4, stages: 2, dtype, seed: 1 },
  { family: 'transformer', seqLen: 6, hidden: 16, heads: 2, layers: 2, dtype, seed: 1 },
]);

test('onnx.checker.check_model(full_check=True) accepts every family x dtype', async () => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: run scripts/setup.sh (it installs the onnx package there)`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'servebench-onnx-check-'));
  try {
    const files = await Promise.all(SPECS.map(async (spec) => {
      const file = path.join(dir, `${spec.family}-${spec.dtype}.onnx`);
      await fs.writeFile(file, buildGeneratedModel(spec).bytes);
      return file;
    }));
    // A rejection carries the checker's traceback in stderr, which names the failing node.
    const { stderr } = await promisify(execFile)(PYTHON, ['-c', CHECK, ...files]);
    expect(stderr).toBe('');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
