/** Activity proxies with the timeouts and retry policies of each tier. */
import { proxyActivities } from '@temporalio/workflow';
import type { Config } from '../configs/schema';
import type { LeaderActivities } from '../activities/leader';
import type { FollowerActivities } from '../activities/follower';
import { maxDurationMs } from '../activities/loadgen/run-rules';
import { clusterQueue, deviceQueue, LEADER_QUEUE } from './queues';

/** Failures that no retry can fix: bad config, bad model. */
export const NON_RETRYABLE = ['InvalidConfig', 'InvalidModel'];

export const leader = proxyActivities<LeaderActivities>({
  taskQueue: LEADER_QUEUE,
  startToCloseTimeout: '2 minutes',
  // DuckDB allows one writer process: a write that meets a lock waits and is retried, for a long time.
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 50, nonRetryableErrorTypes: NON_RETRYABLE },
});

export function compileTier(config: Config) {
  return proxyActivities<Pick<FollowerActivities, 'compile'>>({
    taskQueue: clusterQueue(config.target.cluster),
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2s', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}

export function deviceTier(config: Config, node: string) {
  const { warmup, duration, maxDuration } = config.workload;
  return proxyActivities<Pick<FollowerActivities, 'measure'>>({
    taskQueue: deviceQueue(config.target.cluster, node, config.target.device),
    // A measurement takes warm-up + at most maxDuration; the rest covers starting the server and draining requests.
    startToCloseTimeout: warmup + maxDurationMs(duration, maxDuration) + 3 * 60_000,
    // A dead follower stops heartbeating (the activity beats every second); the attempt is then retried instead of hanging.
    heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '2s', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}
