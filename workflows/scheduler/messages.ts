/**
 * The scheduler's vocabulary: the signals followers and benchmark workflows send it, the grant it sends back,
 * and the view it answers queries with. Plain objects only: they travel as JSON payloads (and through
 * continue-as-new), where Maps and Sets would not survive.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** A measurement device of a node: a GPU, or a set of CPU cores. */
export interface DeviceInfo {
  /** Name in the device queue `servebench.<cluster>.<node>.<name>`, e.g. cpu0, cpu, gpu0. */
  name: string;
  type: 'cpu' | 'gpu';
  /** CPU cores the device's server and load generator are pinned to (all cores of a GPU device's host otherwise). */
  cores: number[];
  /** nvidia-smi index of a GPU device. */
  gpuIndex?: number;
}

/** What a follower reports about its host when it registers. */
export interface NodeHardware {
  hostname: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  gpus: { index: number; name: string; memoryMiB: number }[];
  providers: string[];
}

export interface NodeRegistration {
  cluster: string;
  node: string;
  /** One per follower process: a restarted follower is a new incarnation of the same node. */
  incarnation: string;
  hardware: NodeHardware;
  devices: DeviceInfo[];
  /** Follower clock when sent, ms since the epoch. */
  sentAt: number;
}

export interface NodeDeregistration {
  node: string;
  incarnation: string;
}

/** How a request is ordered: shortest-expected-first with aging (two tier) or arrival order (the single-tier baseline). */
export type QueueOrder = 'sef' | 'fifo';

export interface LeaseRequest {
  /** Unique per attempt: `<workflowId>#<n>`. */
  requestId: string;
  /** The benchmark workflow to signal the grant to. */
  workflowId: string;
  /** A device type (`cpu`, `gpu`) or one device's name (`cpu1`). */
  device: string;
  /** Expected device time of the job, ms: the key of shortest-expected-first. */
  expectedMs: number;
  order: QueueOrder;
  /** Nodes that hold the job's compiled artifact: placement prefers them. */
  preferNodes: string[];
  /** Devices (`node/device`) where an earlier attempt of this job was lost: used only if nothing else fits. */
  avoid: string[];
  /**
   * When the job first asked for a device (workflow time, ms). A job placed again after its device was lost keeps
   * its place in the queue (policy.ts, enqueueTime). Absent in requests of older workflows: now.
   */
  waitingSince?: number;
}

export type ReleaseOutcome = 'done' | 'failed' | 'lost' | 'cancelled';

export interface LeaseRelease {
  requestId: string;
  outcome: ReleaseOutcome;
}

export interface LeaseGrant {
  requestId: string;
  node: string;
  device: string;
  cores: number[];
  /** Set instead of a device when no registered device can ever match the request (e.g. `gpu` on a CPU cluster). */
  error?: string;
}

export const registerNodeSignal = defineSignal<[NodeRegistration]>('registerNode');
/** A heartbeat repeats the registration, so a scheduler that lost its state (terminated, restarted) relearns the node. */
export const nodeHeartbeatSignal = defineSignal<[NodeRegistration]>('nodeHeartbeat');
export const deregisterNodeSignal = defineSignal<[NodeDeregistration]>('deregisterNode');
export const requestLeaseSignal = defineSignal<[LeaseRequest]>('requestLease');
export const releaseLeaseSignal = defineSignal<[LeaseRelease]>('releaseLease');
/** Sent by the scheduler to the requesting benchmark workflow. */
export const leaseGrantedSignal = defineSignal<[LeaseGrant]>('leaseGranted');

export type DeviceState = 'free' | 'leased' | 'down';

export interface SchedulerView {
  cluster: string;
  nodes: { node: string; incarnation: string; alive: boolean; lastHeartbeatAt: number; hardware: NodeHardware }[];
  devices: { key: string; node: string; device: string; type: string; cores: number[]; state: DeviceState; holder?: string; since?: number }[];
  pending: { requestId: string; workflowId: string; device: string; expectedMs: number; waitingMs: number }[];
  granted: number;
}

export const schedulerStateQuery = defineQuery<SchedulerView>('schedulerState');

/** The scheduler's workflow id: one per cluster. */
export function schedulerWorkflowId(cluster: string): string {
  return `servebench-scheduler-${cluster}`;
}

/** A device's key in the scheduler (defined with the policy, which is free of Temporal imports). */
export { deviceKey } from './policy';
