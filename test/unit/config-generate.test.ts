/** model.generate: per-family keys, defaults and errors. */
import { ConfigError, parseConfig, revalidateConfig } from '../../configs/load';
import { expandSweep } from '../../configs/matrix';

const yaml = (generate: string, extra = '') => `name: g
model:
  generate: ${generate}
workload: { mode: server, rate: 5 }
${extra}`;
const generateOf = (generate: string) => parseConfig(yaml(generate), 'g.yaml').model.generate;

function messagesOf(generate: string): string[] {
  try {
    parseConfig(yaml(generate), 'g.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('model.generate families', () => {
  test('mlp keeps its keys and defaults; dtype float16 is accepted', () => {
    expect(generateOf('{ family: mlp, layers: 2, hidden: 8, inputShape: [8] }')).toEqual({
      family: 'mlp', layers: 2, hidden: 8, inputShape: [8], outputSize: 10, dtype: 'float32', seed: 1,
    });
    expect(generateOf('{ family: mlp, layers: 2, hidden: 8, inputShape: [8], dtype: float16 }')).toMatchObject({ dtype: 'float16' });
  });

  test('cnn gets stages 1 and outputSize 10 by default', () => {
    expect(generateOf('{ family: cnn, inputShape: [3, 32, 32], layers: 4, channels: 16, dtype: float16, seed: 3 }')).toEqual({
      family: 'cnn', inputShape: [3, 32, 32], layers: 4, channels: 16, stages: 1, outputSize: 10, dtype: 'float16', seed: 3,
    });
  });

  test('transformer gets ffn = 4 x hidden by default', () => {
    expect(generateOf('{ family: transformer, seqLen: 16, hidden: 64, heads: 4, layers: 2 }')).toEqual({
      family: 'transformer', seqLen: 16, hidden: 64, heads: 4, layers: 2, ffn: 256, outputSize: 10, dtype: 'float32', seed: 1,
    });
  });

  test('a loaded config re-validates to itself', () => {
    const cfg = parseConfig(yaml('{ family: transformer, seqLen: 16, hidden: 64, heads: 4, layers: 2 }'), 'g.yaml');
    expect(revalidateConfig(cfg).model.generate).toEqual(cfg.model.generate);
  });

  test('family keys are sweepable paths', () => {
    const cfg = parseConfig(yaml('{ family: cnn, inputShape: [3, 8, 8], layers: 2, channels: 4 }', 'sweep:\n  model.generate.channels: [4, 8]\n'), 'g.yaml');
    expect(expandSweep(cfg).map((j) => (j.config.model.generate as { channels: number }).channels)).toEqual([4, 8]);
  });
});

describe('model.generate errors', () => {
  test('an unknown family lists the families', () => {
    expect(messagesOf('{ family: rnn, layers: 2 }')).toEqual(['model.generate.family: expected one of mlp | cnn | transformer, got "rnn"']);
  });

  test('missing keys of the chosen family are named', () => {
    expect(messagesOf('{ family: transformer, hidden: 64, layers: 2 }')).toEqual([
      'model.generate.seqLen: expected a positive integer, got nothing (the key is missing)',
      'model.generate.heads: expected a positive integer, got nothing (the key is missing)',
    ]);
    expect(messagesOf('{ family: cnn, layers: 2, channels: 8 }')).toEqual([
      'model.generate.inputShape: expected a non-empty list of positive integers, got nothing (the key is missing)',
    ]);
  });

  test("another family's key is rejected with this family's keys", () => {
    expect(messagesOf('{ family: cnn, inputShape: [3, 8, 8], layers: 2, channels: 4, heads: 2 }')).toEqual([
      'model.generate.heads: not a key of family "cnn"; its keys: family, dtype, seed, inputShape, layers, channels, stages, outputSize',
    ]);
  });

  test('a typo still gets a did-you-mean hint', () => {
    expect(messagesOf('{ family: cnn, inputShape: [3, 8, 8], layers: 2, channel: 4 }')).toEqual(
      expect.arrayContaining(['model.generate.channel: unknown key; did you mean "channels"?']),
    );
  });

  test('family-specific constraints', () => {
    expect(messagesOf('{ family: transformer, seqLen: 8, hidden: 30, heads: 4, layers: 1 }')).toEqual([
      'model.generate.heads: expected a divisor of hidden (30), got 4',
    ]);
    expect(messagesOf('{ family: cnn, inputShape: [32, 32], layers: 2, channels: 4 }')).toEqual([
      'model.generate.inputShape: expected [channels, height, width] (three positive integers), got a list [32,32]',
    ]);
    expect(messagesOf('{ family: cnn, inputShape: [3, 8, 8], layers: 2, channels: 4, stages: 3 }')).toEqual([
      'model.generate.stages: expected at most layers (2): each stage needs a residual block, got 3',
    ]);
    expect(messagesOf('{ family: mlp, layers: 2, hidden: 8, inputShape: [8], dtype: bfloat16 }')).toEqual([
      'model.generate.dtype: expected one of float32 | float16, got "bfloat16"',
    ]);
  });
});
