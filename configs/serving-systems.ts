/**
 * Which serving settings each serving.system honours: what a config asks that the system cannot do is an
 * issue at `validate`, at the key that asks it, naming the system. How each system is configured from the
 * settings it honours is in activities/serve/systems/ (triton-spec.ts, mlserver-config.ts, command.ts).
 */
import { commandArgv, placeholdersOf, type CommandPlaceholder } from './command-line';
import type { IssueAt } from './errors';
import type { Config } from './schema';

type Serving = Partial<Config['serving']>;

/** Issues of `config.serving` (and the workload keys a system constrains). Defensive: the config may be partly invalid. */
export function servingSystemIssues(config: Config): IssueAt[] {
  const s: Serving | undefined = config?.serving;
  const system = s?.system;
  if (!s || !system) return [];
  const issues: IssueAt[] = [];
  const at = (path: (string | number)[], message: string) => issues.push({ path, message });
  if (system !== 'builtin' && s.endpoint !== undefined) {
    at(['serving', 'endpoint'], `attaches to a server already running; serving.system "${system}" starts one on the device: set one or the other`);
  }
  if (system !== 'builtin' && s.executionProvider !== undefined && s.executionProvider !== 'cpu') {
    const why = system === 'command' ? 'servebench cannot choose the provider of a command\'s server' : `its model runs onnxruntime's CPU provider`;
    at(['serving', 'executionProvider'], `serving.system "${system}" cannot honour executionProvider "${s.executionProvider}": ${why}`);
  }
  if (system === 'mlserver' && s.batching && s.batching.maxQueueDelayMs === 0) {
    at(['serving', 'batching', 'maxQueueDelayMs'], 'serving.system "mlserver" cannot batch without waiting (max_batch_time 0 turns its adaptive batching off); expected a number > 0');
  }
  // MLServer's REST API reads JSON tensors only; over gRPC, binary is raw_input_contents, which it reads.
  if (system === 'mlserver' && s.protocol !== 'grpc' && config.workload?.tensorFormat === 'binary') {
    at(['workload', 'tensorFormat'], 'serving.system "mlserver" cannot honour tensorFormat binary over HTTP: its REST API has no binary tensor extension (use json, or serving.protocol grpc, where binary is raw_input_contents)');
  }
  const batchSize = config.workload?.batchSize;
  if (system === 'triton' && s.batching && typeof batchSize === 'number' && batchSize > s.batching.maxBatchSize) {
    at(['workload', 'batchSize'], `serving.system "triton" rejects requests of more rows than serving.batching.maxBatchSize (${s.batching.maxBatchSize}), got ${batchSize}`);
  }
  if (system === 'command') issues.push(...commandIssues(s));
  return issues;
}

/** A command must say how to run it, and name a placeholder for every setting it is asked to honour. */
function commandIssues(s: Serving): IssueAt[] {
  const issues: IssueAt[] = [];
  const run = s.command?.run;
  if (typeof run !== 'string') {
    return [{ path: ['serving', 'command'], message: 'expected { run, ready } (serving.system "command" runs that server), got nothing (the key is missing)' }];
  }
  let used: CommandPlaceholder[];
  try {
    used = placeholdersOf(run);
    commandArgv(run, Object.fromEntries(used.map((p) => [p, '']))); // the quoting splits
  } catch (e) {
    return [{ path: ['serving', 'command', 'run'], message: (e as Error).message }];
  }
  if (!used.includes('port')) {
    issues.push({ path: ['serving', 'command', 'run'], message: 'expected a {port} placeholder: the server must listen where the load generator sends' });
  }
  const unhonoured = (key: string, placeholder: CommandPlaceholder, path: string[]) => {
    if (!used.includes(placeholder)) {
      issues.push({ path, message: `serving.system "command" cannot honour serving.${key}: serving.command.run has no {${placeholder}} placeholder` });
    }
  };
  if (s.protocol === 'grpc' && !used.includes('grpcPort')) {
    issues.push({ path: ['serving', 'protocol'], message: 'serving.system "command" cannot honour serving.protocol grpc: serving.command.run has no {grpcPort} placeholder (the port its gRPC endpoint must listen on)' });
  }
  if (s.instances !== undefined && s.instances !== 1) unhonoured('instances', 'instances', ['serving', 'instances']);
  if (s.intraOpThreads !== undefined && s.intraOpThreads !== 1) unhonoured('intraOpThreads', 'intraOpThreads', ['serving', 'intraOpThreads']);
  if (s.interOpThreads !== undefined && s.interOpThreads !== 1) unhonoured('interOpThreads', 'interOpThreads', ['serving', 'interOpThreads']);
  // Without batching the placeholders still have values ({maxBatchSize} 1, {maxQueueDelayMs} 0): no batching.
  if (s.batching) {
    unhonoured('batching.maxBatchSize', 'maxBatchSize', ['serving', 'batching', 'maxBatchSize']);
    unhonoured('batching.maxQueueDelayMs', 'maxQueueDelayMs', ['serving', 'batching', 'maxQueueDelayMs']);
  }
  return issues;
}
