/** Activity proxies with the timeouts and retry policies of each tier. */
import { proxyActivities } from '@temporalio/workflow';
import type { Config } from '../configs/schema';
import type { LeaderActivities } from '../activities/leader';
import type { FollowerActivities } from '../activities/follower';
import { longestMeasurementMs, settingsOf } from '../configs/settings';
import { NON_RETRYABLE } from './failures';
import { clusterQueue, deviceQueue, LEADER_QUEUE } from './queues';
import { COMPILE_HEARTBEAT_TIMEOUT_MS, DEVICE_START_TIMEOUT_MS, LEADER_HEARTBEAT_TIMEOUT_MS, LEADER_START_TO_CLOSE_MS, MEASURE_HEARTBEAT_TIMEOUT_MS } from './timings';


export const leader = proxyActivities<LeaderActivities>({
  taskQueue: LEADER_QUEUE,
  startToCloseTimeout: LEADER_START_TO_CLOSE_MS,
  // Leader activities beat every second: a killed leader's activity is retried by another within seconds.
  heartbeatTimeout: LEADER_HEARTBEAT_TIMEOUT_MS,
  // DuckDB allows one writer process: a write that meets a lock waits and is retried, for a long time.
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 50, nonRetryableErrorTypes: NON_RETRYABLE },
});

export function compileTier(config: Config) {
  return proxyActivities<Pick<FollowerActivities, 'compile'>>({
    taskQueue: clusterQueue(config.target.cluster),
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: COMPILE_HEARTBEAT_TIMEOUT_MS,
    retry: { initialInterval: '2s', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}

/**
 * The granted device's queue. One attempt per lease: a lost attempt (dead follower: no heartbeat, or nobody
 * polling: schedule-to-start) goes back to the scheduler, which may place the retry on another device.
 */
export function deviceTier(config: Config, node: string, device: string) {
  return proxyActivities<Pick<FollowerActivities, 'measure' | 'compileOnDevice'>>({
    taskQueue: deviceQueue(config.target.cluster, node, device),
    scheduleToStartTimeout: DEVICE_START_TIMEOUT_MS,
    // A measurement takes warm-up + at most maxDuration (each step of progressive); the rest covers starting the
    // server, compiling on the device (single tier) and draining requests.
    startToCloseTimeout: longestMeasurementMs(settingsOf(config)) + 15 * 60_000,
    // A dead follower stops heartbeating (the activity beats every second).
    heartbeatTimeout: MEASURE_HEARTBEAT_TIMEOUT_MS,
    retry: { maximumAttempts: 1 },
  });
}
