import { encodeRequest, float32Json } from '../../activities/inputs/body';
import { parseDataFile } from '../../activities/inputs/data-file';
import { generateTensor } from '../../activities/inputs/generate';
import { encodeNpy, parseNpy } from '../../activities/inputs/npy';
import { buildRequests, shapesSent } from '../../activities/inputs/requests';
import { resolveInputs } from '../../activities/inputs/resolve';
import type { ModelInput } from '../../activities/inputs/types';
import { seededUniform } from '../../activities/rng';
import { fromHalf } from '../../activities/float16';

const SILERO: ModelInput[] = [
  { name: 'input', datatype: 'FP32', shape: [-1, -1] },
  { name: 'state', datatype: 'FP32', shape: [2, -1, 128] },
  { name: 'sr', datatype: 'INT64', shape: [] },
];

describe('resolveInputs', () => {
  it('puts workload.batchSize in each input’s first dynamic dim and takes the others from model.inputs', () => {
    const r = resolveInputs(SILERO, { input: { shape: [-1, 512] }, sr: { value: 16000 } }, 4);
    expect(r.issues).toEqual([]);
    expect(r.inputs.map((i) => [i.name, i.shape])).toEqual([['input', [4, 512]], ['state', [2, 4, 128]], ['sr', []]]);
    expect(r.inputs[2].value).toBe(16000);
    // The batch dim may be written as the batch size itself.
    expect(resolveInputs(SILERO, { input: { shape: [4, 512] } }, 4).issues).toEqual([]);
  });

  it('refuses a dynamic dim nothing sets, naming the input and the key to set', () => {
    const r = resolveInputs(SILERO, undefined, 1);
    expect(r.issues).toEqual([
      { path: ['model', 'inputs', 'input', 'shape'], message: expect.stringMatching(/^expected a shape for input "input": dimension 1 of \[-1, -1\] is dynamic .*model\.inputs\.input\.shape, e\.g\. \[-1, N\].*got nothing/) },
    ]);
    // ...unless a data file brings the tensor (with its shape).
    const fromData = resolveInputs(SILERO, undefined, 1, new Set(['input']));
    expect(fromData.issues).toEqual([]);
    expect(fromData.inputs[0].shape).toBeNull();
  });

  it('checks names, ranks, fixed dims, the batch dim and values against the model', () => {
    const r = resolveInputs(
      SILERO,
      { inptu: { value: 1 }, input: { shape: [2, 512, 1] }, state: { shape: [3, 1, -1] }, sr: { value: 16000.5 } },
      1,
    );
    expect(r.issues).toEqual([
      { path: ['model', 'inputs', 'inptu'], message: 'expected the name of a model input (input, state, sr), got "inptu"' },
      { path: ['model', 'inputs', 'input', 'shape'], message: 'expected 2 dimensions like the model\'s [-1, -1] (-1: dynamic), got [2, 512, 1]' },
      { path: ['model', 'inputs', 'state', 'shape', 0], message: "expected 2 (fixed in the model's [2, -1, 128]), got 3" },
      { path: ['model', 'inputs', 'sr', 'value'], message: expect.stringMatching(/^expected an integer in .* \(input is INT64\), got 16000\.5$/) },
    ]); // state's -1 at a fixed dim means: as the model declares it
    expect(resolveInputs(SILERO, { input: { shape: [2, 512] } }, 1).issues).toEqual([
      { path: ['model', 'inputs', 'input', 'shape', 0], message: 'expected -1 or 1 (the batch dim takes workload.batchSize, 1), got 2' },
    ]);
    const typed = resolveInputs(
      [{ name: 'b', datatype: 'BOOL', shape: [4] }, { name: 'u', datatype: 'UINT8', shape: [4] }, { name: 'h', datatype: 'BF16', shape: [4] }],
      { b: { range: [0, 1] }, u: { range: [0, 300] } },
      1,
    );
    expect(typed.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'model.inputs.b.range: expected no range: input "b" is BOOL, got a list [0,1]',
      'model.inputs.u.range: expected an integer in [0, 255] (input is UINT8), got a list [0,300]',
      'model.inputs.h: input "h" has datatype BF16, which servebench cannot send',
    ]);
  });

  it('refuses batchSize > 1 when no input has a dimension to batch along', () => {
    expect(resolveInputs([{ name: 'x', datatype: 'FP32', shape: [1, 4] }], undefined, 8).issues).toEqual([
      { path: ['workload', 'batchSize'], message: 'expected 1: no model input has a dynamic dimension to batch along (x [1, 4]), got 8' },
    ]);
  });
});

describe('generateTensor', () => {
  const gen = (datatype: string, fill = {}, n = 2000) => generateTensor(datatype, n, fill, seededUniform(1));

  it('keeps integers within the range (inclusive) and the datatype', () => {
    const ids = gen('INT32', { range: [0, 256] }) as Int32Array;
    expect(ids).toBeInstanceOf(Int32Array);
    expect(Math.min(...ids)).toBe(0);
    expect(Math.max(...ids)).toBe(256);
    const big = gen('INT64', { range: [100, 30000] }) as BigInt64Array;
    expect(big).toBeInstanceOf(BigInt64Array);
    expect(Array.from(big).every((v) => v >= 100n && v <= 30000n)).toBe(true);
    const u8 = gen('UINT8') as Uint8Array;
    expect(Array.from(u8).every((v) => v >= 0 && v <= 15)).toBe(true); // default: small, safe as indices
    expect(gen('UINT64', { value: 7 })).toEqual(new BigUint64Array(2000).fill(7n));
  });

  it('makes bools, fp16 and floats of the right kind', () => {
    const b = gen('BOOL') as Uint8Array;
    expect(new Set(b)).toEqual(new Set([0, 1]));
    expect(gen('BOOL', { value: true })).toEqual(new Uint8Array(2000).fill(1));
    const h = gen('FP16', { range: [2, 3] }) as Uint16Array;
    expect(h).toBeInstanceOf(Uint16Array);
    expect(Array.from(h, fromHalf).every((v) => v >= 2 && v <= 3)).toBe(true);
    const f = gen('FP32') as Float32Array;
    expect(Array.from(f).every((v) => v >= -1 && v < 1)).toBe(true);
    expect(new Set(f).size).toBeGreaterThan(1000);
    expect(gen('FP64', { value: 0.5 })).toEqual(new Float64Array(2000).fill(0.5));
  });
});

describe('.npy', () => {
  it('round-trips numeric and bool arrays and refuses what it cannot read', () => {
    const a = parseNpy(encodeNpy('INT64', [2, 3], BigInt64Array.from([1n, 2n, 3n, 4n, 5n, -6n])));
    expect(a).toEqual({ datatype: 'INT64', shape: [2, 3], data: BigInt64Array.from([1n, 2n, 3n, 4n, 5n, -6n]) });
    expect(parseNpy(encodeNpy('FP32', [3], Float32Array.from([1, 2.5, -3]))).shape).toEqual([3]);
    expect(parseNpy(encodeNpy('BOOL', [], Uint8Array.from([1])))).toEqual({ datatype: 'BOOL', shape: [], data: Uint8Array.from([1]) });
    expect(() => parseNpy(Buffer.from('not numpy at all'))).toThrow(/not a \.npy file/);
    const cut = encodeNpy('FP32', [4], new Float32Array(4));
    expect(() => parseNpy(cut.subarray(0, cut.length - 2))).toThrow(/truncated \.npy data: shape \(4\) needs 16 bytes, the file has 14/);
    const big = Buffer.from(encodeNpy('FP32', [1], new Float32Array(1)).toString('latin1').replace("'<f4'", "'>f4'"), 'latin1');
    expect(() => parseNpy(big)).toThrow(/dtype >f4 is not supported/);
    const fortran = Buffer.from(encodeNpy('FP32', [1], new Float32Array(1)).toString('latin1').replace('False', 'True '), 'latin1');
    expect(() => parseNpy(fortran)).toThrow(/Fortran-order/);
  });
});

describe('data files', () => {
  it('reads perf_analyzer --input-data JSON: bare lists (nested or flat) and {content, shape}', () => {
    const entries = parseDataFile(JSON.stringify({ data: [{ x: [[1, 2], [3, 4]], sr: [16000] }, { x: { content: [5, 6, 7, 8], shape: [1, 4] } }] }), 'json');
    expect(entries).toEqual([{ x: { content: [1, 2, 3, 4] }, sr: { content: [16000] } }, { x: { content: [5, 6, 7, 8], shape: [1, 4] } }]);
  });

  it('reads JSONL, one request per line, and names the line or entry that is wrong', () => {
    expect(parseDataFile('{"x": [1]}\n\n{"x": [2]}\n', 'jsonl')).toEqual([{ x: { content: [1] } }, { x: { content: [2] } }]);
    expect(() => parseDataFile('{"x": [1]}\n{"x": [2}\n', 'jsonl')).toThrow(/^line 2: not JSON/);
    expect(() => parseDataFile('{"inputs": []}', 'json')).toThrow(/expected \{"data": \[/);
    expect(() => parseDataFile('{"data": [{"x": 3}]}', 'json')).toThrow(/data\[0\]: input "x": expected a list of values or \{"content"/);
    expect(() => parseDataFile('{"data": [{"x": {"content": [1], "shape": "4"}}]}', 'json')).toThrow(/data\[0\]: input "x": expected "shape"/);
  });
});

describe('buildRequests', () => {
  const resolved = (cfg: Parameters<typeof resolveInputs>[1], fromData: string[] = [], batch = 1) => {
    const r = resolveInputs(SILERO, cfg, batch, new Set(fromData));
    expect(r.issues).toEqual([]);
    return r.inputs;
  };

  it('cycles data entries, generates the rest once, and records the shapes sent', () => {
    const entries = { file: 'in.jsonl', list: [{ input: { content: new Array(512).fill(0.5), shape: [1, 512] } }, { input: { content: new Array(256).fill(1), shape: [1, 256] } }] };
    const built = buildRequests(resolved({ sr: { value: 8000 } }, ['input']), { entries }, 1, 1);
    expect(built.issues).toEqual([]);
    const reqs = built.requests!;
    expect(reqs).toHaveLength(2);
    expect(reqs[1][0].data).toEqual(new Float32Array(256).fill(1));
    expect(reqs[0][1].data).toBe(reqs[1][1].data); // generated once, shared
    expect(reqs[0][2].data).toEqual(BigInt64Array.from([8000n]));
    expect(shapesSent(reqs)).toEqual({ input: [[1, 512], [1, 256]], state: [2, 1, 128], sr: [] });
  });

  it('takes a per-request .npy along its leading axis', () => {
    const stacked = { datatype: 'FP32', shape: [3, 1, 4], data: Float32Array.from({ length: 12 }, (_, i) => i) };
    const inputs = resolved({ input: { data: 'x.npy' } });
    const built = buildRequests(inputs, { npy: new Map([['input', stacked]]) }, 1, 1);
    expect(built.requests!.map((r) => Array.from(r[0].data as Float32Array))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    const wrong = buildRequests(inputs, { npy: new Map([['input', { ...stacked, datatype: 'FP64' }]]) }, 1, 1);
    expect(wrong.issues).toEqual([{ path: ['model', 'inputs', 'input', 'data'], message: 'x.npy: expected dtype of FP32, got FP64' }]);
  });

  it('refuses data whose shape or elements do not fit, naming the file and entry', () => {
    const bad = (content: unknown[], shape?: number[]) =>
      buildRequests(resolved({}, ['input']), { entries: { file: 'd.json', list: [{ input: { content, shape } }] } }, 1, 1).issues.map((i) => i.message);
    expect(bad([1, 2], [2, 1])).toEqual(["d.json: entry 0: input \"input\": expected a shape like the model's [-1, -1], the batch dim 0 = workload.batchSize 1, got [2, 1]"]);
    expect(bad([1, 2], [1, 3])).toEqual(['d.json: entry 0: input "input": has 2 elements but its shape needs 3 (shape [1, 3], FP32)']);
    expect(bad([1, 2])).toEqual([expect.stringMatching(/^d\.json: entry 0: input "input": expected \{"content": \[\.\.\.\], "shape": \[\.\.\.\]\}/)]);
  });
});

describe('encodeRequest', () => {
  const tensors = [
    { name: 'x', datatype: 'FP32', shape: [1, 2], data: Float32Array.from([0.1234, -1]) },
    { name: 'sr', datatype: 'INT64', shape: [], data: BigInt64Array.from([16000n]) },
    { name: 'm', datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
  ];

  it('writes JSON with short float32 numbers', () => {
    const { body, headerLength } = encodeRequest(tensors, 'json');
    expect(headerLength).toBeUndefined();
    expect(JSON.parse(body.toString())).toEqual({
      inputs: [
        { name: 'x', shape: [1, 2], datatype: 'FP32', data: [0.1234, -1] },
        { name: 'sr', shape: [], datatype: 'INT64', data: [16000] },
        { name: 'm', shape: [2], datatype: 'BOOL', data: [true, false] },
      ],
    });
    expect(float32Json(Float32Array.from([1 / 3]))).toBe('[0.33333334]');
  });

  it('writes binary tensors: the JSON header, then each tensor raw, asking for binary outputs', () => {
    const { body, headerLength } = encodeRequest(tensors, 'binary');
    const header = JSON.parse(body.toString('utf8', 0, headerLength));
    expect(header).toEqual({
      inputs: [
        { name: 'x', shape: [1, 2], datatype: 'FP32', parameters: { binary_data_size: 8 } },
        { name: 'sr', shape: [], datatype: 'INT64', parameters: { binary_data_size: 8 } },
        { name: 'm', shape: [2], datatype: 'BOOL', parameters: { binary_data_size: 2 } },
      ],
      parameters: { binary_data_output: true },
    });
    const tail = body.subarray(headerLength!);
    expect(tail).toHaveLength(18);
    expect(tail.readFloatLE(0)).toBeCloseTo(0.1234, 6);
    expect(tail.readBigInt64LE(8)).toBe(16000n);
    expect([...tail.subarray(16)]).toEqual([1, 0]);
    expect(() => encodeRequest([{ name: 's', datatype: 'BYTES', shape: [1], data: ['a'] }], 'binary')).toThrow(/use tensorFormat: json/);
  });
});
