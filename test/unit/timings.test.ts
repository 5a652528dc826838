import * as t from '../../workflows/timings';

/** Beats a watcher must miss in a row before it declares death: one or two lost beats on a busy host are not. */
const BEATS = 3;

describe('the timings hold together', () => {
  test('every heartbeat timeout is several beats long', () => {
    expect(t.LEADER_HEARTBEAT_MS * BEATS).toBeLessThanOrEqual(t.LEADER_HEARTBEAT_TIMEOUT_MS);
    expect(t.FOLLOWER_HEARTBEAT_MS * BEATS).toBeLessThanOrEqual(t.MEASURE_HEARTBEAT_TIMEOUT_MS);
    expect(t.FOLLOWER_HEARTBEAT_MS * BEATS).toBeLessThanOrEqual(t.COMPILE_HEARTBEAT_TIMEOUT_MS);
    expect(t.NODE_HEARTBEAT_MS * BEATS).toBeLessThanOrEqual(t.NODE_DEAD_AFTER_MS);
  });

  test('a dead leader or follower is noticed within seconds, not minutes', () => {
    for (const timeout of [t.LEADER_HEARTBEAT_TIMEOUT_MS, t.MEASURE_HEARTBEAT_TIMEOUT_MS]) expect(timeout).toBeLessThanOrEqual(15_000);
  });

  test('a leader activity is declared lost by its heartbeat long before its start-to-close timeout', () => {
    expect(t.LEADER_HEARTBEAT_TIMEOUT_MS * 4).toBeLessThanOrEqual(t.LEADER_START_TO_CLOSE_MS);
  });

  test("a dead follower's node is marked down before a lease granted on it times out unstarted", () => {
    // Else the retry of the lost measurement could be placed on the dead node's device again.
    expect(t.NODE_DEAD_AFTER_MS + t.SCHEDULER_TICK_MS).toBeLessThan(t.DEVICE_START_TIMEOUT_MS);
  });
});
