/**
 * The timings that must hold together, in one place: how often things beat, and how long a silence means death.
 * A dead process is noticed by the silence of its beats, so every timeout here is several beats long (one lost
 * beat on a busy host is not a death) and short enough that the work moves elsewhere within seconds.
 * Pure constants, shared by workflows, activities and workers; test/unit/timings.test.ts checks the inequalities.
 */

/** A leader activity (plan, record, the scheduler's checks) heartbeats this often. */
export const LEADER_HEARTBEAT_MS = 1_000;
/** A leader activity silent this long is lost (its leader died) and is retried by another leader. */
export const LEADER_HEARTBEAT_TIMEOUT_MS = 10_000;
/** The longest a leader activity may run (a record waits for the results database's lock meanwhile). */
export const LEADER_START_TO_CLOSE_MS = 2 * 60_000;

/** A follower activity (compile, measure) heartbeats this often, whatever it is waiting on. */
export const FOLLOWER_HEARTBEAT_MS = 1_000;
/** A measurement silent this long is lost (its follower died): the job goes back to the scheduler. */
export const MEASURE_HEARTBEAT_TIMEOUT_MS = 10_000;
/** A compile silent this long is lost; compiles run in a child process that may keep the event loop busy. */
export const COMPILE_HEARTBEAT_TIMEOUT_MS = 60_000;

/** A follower re-registers its node with the cluster's scheduler this often. */
export const NODE_HEARTBEAT_MS = 5_000;
/** A node that has not heartbeated for this long is dead: its devices get no new leases. */
export const NODE_DEAD_AFTER_MS = 20_000;
/** How often the scheduler looks at the clock (node deaths, dead lease holders) while it has anything to watch. */
export const SCHEDULER_TICK_MS = 5_000;
/** How long a leased device's queue may leave a task unstarted before the device counts as dead. */
export const DEVICE_START_TIMEOUT_MS = 60_000;
