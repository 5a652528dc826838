import { commandArgv, placeholdersOf, splitCommandLine } from '../../configs/command-line';
import { ConfigError, parseConfig } from '../../configs/load';

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, 'sys.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

// Line 5 is serving:'s first line.
const config = (serving: string, extra = '') => `name: sys
model:
  generate: { family: mlp, layers: 2, hidden: 8, inputShape: [8] }
serving:
${serving}
workload: { mode: concurrency, concurrency: 1 }
${extra}`;

describe('serving.command.run is split like a shell quotes words, with nothing executed', () => {
  test('quotes group words; placeholders are substituted inside a word afterwards', () => {
    expect(splitCommandLine(`srv --model {model} -x 'a b' "c \\"d\\"" e\\ f`)).toEqual(['srv', '--model', '{model}', '-x', 'a b', 'c "d"', 'e f']);
    expect(commandArgv('srv --model={model} --port {port}', { model: '/m dir/model.onnx', port: 8000 })).toEqual(['srv', '--model=/m dir/model.onnx', '--port', '8000']);
  });

  test('shell syntax is only text: no pipe, no variable, no substitution', () => {
    expect(splitCommandLine('srv $HOME `id` | tee x; rm -rf y')).toEqual(['srv', '$HOME', '`id`', '|', 'tee', 'x;', 'rm', '-rf', 'y']);
  });

  test('JSON in single quotes keeps its braces; only {word} placeholders are substituted', () => {
    expect(commandArgv(`node s.js '{"modelPath":"{model}","port":{port}}'`, { model: '/m.onnx', port: 9 })).toEqual(['node', 's.js', '{"modelPath":"/m.onnx","port":9}']);
  });

  test('an unclosed quote, an empty line and an unknown placeholder are errors', () => {
    expect(() => splitCommandLine("srv 'x")).toThrow("expected a closing ' in the command line");
    expect(() => splitCommandLine('   ')).toThrow('expected a command line, got only spaces');
    expect(() => placeholdersOf('srv {modle}')).toThrow(/unknown placeholder \{modle\}; known: \{model\} \{name\} \{port\}/);
  });
});

describe('serving.system: what each system cannot honour is a validate error at its key', () => {
  test('builtin is the default, and every system name is accepted', () => {
    expect(parseConfig(config('  instances: 1'), 'sys.yaml').serving.system).toBe('builtin');
    for (const system of ['triton', 'mlserver']) expect(parseConfig(config(`  system: ${system}`), 'sys.yaml').serving.system).toBe(system);
    expect(errorOf(config('  system: torchserve')).message).toBe('sys.yaml: serving.system (line 5): expected one of builtin | triton | mlserver | command, got "torchserve"');
  });

  test('command needs its command line, with a {port}', () => {
    expect(errorOf(config('  system: command')).message).toBe(
      'sys.yaml: serving.command (line 4): expected { run, ready } (serving.system "command" runs that server), got nothing (the key is missing)',
    );
    expect(errorOf(config('  system: command\n  command: { run: "srv {model}" }')).message).toBe(
      'sys.yaml: serving.command.run (line 6): expected a {port} placeholder: the server must listen where the load generator sends',
    );
    expect(errorOf(config('  system: command\n  command: { run: "srv {port} {modle}" }')).message).toContain('serving.command.run (line 6): unknown placeholder {modle}');
  });

  test('command: a setting without its placeholder cannot be honoured', () => {
    const err = errorOf(config('  system: command\n  command: { run: "srv {port} {model}" }\n  instances: 2\n  batching: { maxBatchSize: 4 }'));
    expect(err.message.split('\n')).toEqual([
      'sys.yaml: serving.instances (line 7): serving.system "command" cannot honour serving.instances: serving.command.run has no {instances} placeholder',
      'sys.yaml: serving.batching.maxBatchSize (line 8): serving.system "command" cannot honour serving.batching.maxBatchSize: serving.command.run has no {maxBatchSize} placeholder',
      'sys.yaml: serving.batching.maxQueueDelayMs (line 8): serving.system "command" cannot honour serving.batching.maxQueueDelayMs: serving.command.run has no {maxQueueDelayMs} placeholder',
    ]);
    const ok = parseConfig(config('  system: command\n  command: { run: "srv {port} {model} -i {instances} -b {maxBatchSize}:{maxQueueDelayMs}" }\n  instances: 2\n  batching: { maxBatchSize: 4 }'), 'sys.yaml');
    expect(ok.serving.command).toEqual({ run: 'srv {port} {model} -i {instances} -b {maxBatchSize}:{maxQueueDelayMs}', ready: '/v2/health/ready' });
  });

  test('triton and mlserver run the CPU provider; an endpoint is not a system to start', () => {
    expect(errorOf(config('  system: triton\n  executionProvider: cuda')).message).toBe(
      `sys.yaml: serving.executionProvider (line 6): serving.system "triton" cannot honour executionProvider "cuda": its model runs onnxruntime's CPU provider`,
    );
    expect(errorOf(config('  system: mlserver\n  endpoint: http://127.0.0.1:8000\n  model: m')).message).toContain(
      'serving.endpoint (line 6): attaches to a server already running; serving.system "mlserver" starts one on the device: set one or the other',
    );
  });

  test('mlserver cannot batch without waiting; triton rejects requests larger than its max batch', () => {
    expect(errorOf(config('  system: mlserver\n  batching: { maxBatchSize: 4, maxQueueDelayMs: 0 }')).message).toContain(
      'serving.batching.maxQueueDelayMs (line 6): serving.system "mlserver" cannot batch without waiting',
    );
    const err = errorOf(config('  system: triton\n  batching: { maxBatchSize: 4 }').replace('concurrency: 1 }', 'concurrency: 1, batchSize: 8 }'));
    expect(err.message).toBe('sys.yaml: workload.batchSize (line 7): serving.system "triton" rejects requests of more rows than serving.batching.maxBatchSize (4), got 8');
  });

  test('a swept system is checked per job, and the issue names the job it concerns', () => {
    const err = errorOf(config('  batching: { maxBatchSize: 4, maxQueueDelayMs: 0 }', 'sweep:\n  serving.system: [builtin, triton, mlserver]'));
    expect(err.message).toBe(
      'sys.yaml: serving.batching.maxQueueDelayMs (line 5): serving.system "mlserver" cannot batch without waiting (max_batch_time 0 turns its adaptive batching off); expected a number > 0, in the sweep job with serving.system = "mlserver"',
    );
  });
});

describe('serving.protocol: http or grpc, for every system', () => {
  test('http is the default; grpc is accepted for builtin, triton, mlserver and a command with a {grpcPort}', () => {
    expect(parseConfig(config('  instances: 1'), 'sys.yaml').serving.protocol).toBe('http');
    for (const system of ['builtin', 'triton', 'mlserver']) {
      expect(parseConfig(config(`  system: ${system}\n  protocol: grpc`), 'sys.yaml').serving).toMatchObject({ system, protocol: 'grpc' });
    }
    const cmd = parseConfig(config('  system: command\n  protocol: grpc\n  command: { run: "srv {port} --grpc-port {grpcPort}" }'), 'sys.yaml');
    expect(cmd.serving.protocol).toBe('grpc');
    expect(errorOf(config('  protocol: rest')).message).toBe('sys.yaml: serving.protocol (line 5): expected one of http | grpc, got "rest"');
  });

  test('a command without a {grpcPort} cannot honour grpc: the error names the system and the key', () => {
    expect(errorOf(config('  system: command\n  protocol: grpc\n  command: { run: "srv {port}" }')).message).toBe(
      'sys.yaml: serving.protocol (line 6): serving.system "command" cannot honour serving.protocol grpc: serving.command.run has no {grpcPort} placeholder (the port its gRPC endpoint must listen on)',
    );
  });

  test('an external endpoint is a URL over http and host:port over grpc', () => {
    const grpcEndpoint = parseConfig(config('  protocol: grpc\n  endpoint: 127.0.0.1:8001\n  model: m'), 'sys.yaml');
    expect(grpcEndpoint.serving).toMatchObject({ protocol: 'grpc', endpoint: '127.0.0.1:8001' });
    expect(parseConfig(config('  protocol: grpc\n  endpoint: "[::1]:8001"\n  model: m'), 'sys.yaml').serving.endpoint).toBe('[::1]:8001');
    expect(errorOf(config('  protocol: grpc\n  endpoint: http://127.0.0.1:8001\n  model: m')).message).toBe(
      'sys.yaml: serving.endpoint (line 6): expected host:port with serving.protocol grpc (no scheme), e.g. 127.0.0.1:8001, got "http://127.0.0.1:8001"',
    );
    expect(errorOf(config('  protocol: grpc\n  endpoint: "h:99999"\n  model: m')).message).toContain('expected a port in 1..65535, got 99999');
    expect(errorOf(config('  endpoint: 127.0.0.1:8001\n  model: m')).message).toBe(
      'sys.yaml: serving.endpoint (line 5): expected an http:// or https:// URL, got "127.0.0.1:8001"',
    );
  });

  test("mlserver reads binary tensors over gRPC (raw_input_contents) but not over HTTP", () => {
    const binary = (protocol: string) => config(`  system: mlserver\n  protocol: ${protocol}`).replace('concurrency: 1 }', 'concurrency: 1, tensorFormat: binary }');
    expect(parseConfig(binary('grpc'), 'sys.yaml').workload.tensorFormat).toBe('binary');
    expect(errorOf(binary('http')).message).toBe(
      'sys.yaml: workload.tensorFormat (line 7): serving.system "mlserver" cannot honour tensorFormat binary over HTTP: its REST API has no binary tensor extension (use json, or serving.protocol grpc, where binary is raw_input_contents)',
    );
  });

  test('a swept protocol is checked per job, at the swept value', () => {
    const err = errorOf(config('  system: command\n  command: { run: "srv {port}" }', 'sweep:\n  serving.protocol: [http, grpc]'));
    expect(err.message).toBe(
      'sys.yaml: sweep.serving.protocol[1] (line 9): serving.system "command" cannot honour serving.protocol grpc: serving.command.run has no {grpcPort} placeholder (the port its gRPC endpoint must listen on)',
    );
  });
});
