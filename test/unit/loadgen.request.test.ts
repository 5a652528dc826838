import { buildInferBody, type ModelMetadata } from '../../activities/loadgen/request';

const meta = (inputs: ModelMetadata['inputs']): ModelMetadata => ({ name: 'm', inputs, outputs: [] });

interface Body {
  inputs: { name: string; shape: number[]; datatype: string; data: unknown[] }[];
}

describe('buildInferBody', () => {
  it('puts the batch in the first -1 dim, and refuses to guess the other dynamic dims', () => {
    const body = JSON.parse(buildInferBody(meta([{ name: 'x', datatype: 'FP32', shape: [-1, 3, 4] }]), 2, 1)) as Body;
    expect(body.inputs).toHaveLength(1);
    const [x] = body.inputs;
    expect(x.name).toBe('x');
    expect(x.datatype).toBe('FP32');
    expect(x.shape).toEqual([2, 3, 4]);
    expect(x.data).toHaveLength(24);
    for (const v of x.data as number[]) {
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThan(1);
    }
    expect(new Set(x.data).size).toBeGreaterThan(12); // actually random, not constant
    // A second dynamic dim was silently 1: now it is an error naming the key that sets it.
    expect(() => buildInferBody(meta([{ name: 'y', datatype: 'FP32', shape: [-1, -1, 8] }]), 4, 1)).toThrow(/model\.inputs\.y\.shape/);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const m = meta([{ name: 'x', datatype: 'FP32', shape: [-1, 16] }]);
    expect(buildInferBody(m, 1, 5)).toBe(buildInferBody(m, 1, 5));
    expect(buildInferBody(m, 1, 5)).not.toBe(buildInferBody(m, 1, 6));
  });

  it('fills each datatype sensibly', () => {
    const body = JSON.parse(
      buildInferBody(
        meta([
          { name: 'ids', datatype: 'INT64', shape: [-1, 8] },
          { name: 'mask', datatype: 'BOOL', shape: [-1, 8] },
          { name: 'px', datatype: 'UINT8', shape: [2, 2] },
          { name: 'txt', datatype: 'BYTES', shape: [-1] },
        ]),
        1,
        3,
      ),
    ) as Body;
    const [ids, mask, px, txt] = body.inputs;
    expect(ids.data.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 16)).toBe(true);
    expect(mask.data.every((v) => typeof v === 'boolean')).toBe(true);
    expect(px.shape).toEqual([2, 2]);
    expect(px.data).toHaveLength(4);
    expect(txt.data.every((v) => typeof v === 'string')).toBe(true);
  });

  it('explains what it cannot build', () => {
    expect(() => buildInferBody(meta([{ name: 'x', datatype: 'FP32', shape: [1, 4] }]), 8, 1)).toThrow(/no model input has a dynamic dimension to batch along \(x \[1, 4\]\), got 8/);
    expect(() => buildInferBody(meta([{ name: 'x', datatype: 'COMPLEX', shape: [-1] }]), 1, 1)).toThrow(/datatype COMPLEX, which servebench cannot send/);
    expect(() => buildInferBody(meta([]), 1, 1)).toThrow(/no inputs/);
    expect(() => buildInferBody(meta([{ name: 'x', datatype: 'FP32', shape: [-1] }]), 0, 1)).toThrow(/batch size/);
  });
});
