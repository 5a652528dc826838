/** A `command` system's argv for one job: the placeholders of serving.command.run filled from its settings. */
import { commandArgv } from '../../../configs/command-line';
import type { Config } from '../../../configs/schema';

export function commandSpec(serving: Config['serving'], model: { path: string; modelName: string }, port: number, cores: string, grpcPort: number): { argv: string[]; readyPath: string } {
  const c = serving.command;
  if (!c) throw new Error('serving.system "command" needs serving.command (validate checks this)');
  const b = serving.batching;
  const argv = commandArgv(c.run, {
    model: model.path,
    name: model.modelName,
    port,
    grpcPort,
    cores,
    instances: serving.instances,
    intraOpThreads: serving.intraOpThreads,
    interOpThreads: serving.interOpThreads,
    // No batching: one row per model run, no waiting.
    maxBatchSize: b?.maxBatchSize ?? 1,
    maxQueueDelayMs: b?.maxQueueDelayMs ?? 0,
  });
  return { argv, readyPath: c.ready };
}
