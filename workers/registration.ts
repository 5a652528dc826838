/**
 * A follower's membership in its cluster: it registers its node and devices with the cluster's scheduler
 * (starting the scheduler if none runs), repeats that as a heartbeat, and deregisters when it shuts down.
 * A follower that dies simply stops heartbeating; the scheduler then stops granting its devices.
 */
import { Client } from '@temporalio/client';
import type { ConnectionLike } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { probeHost } from '../activities/probe/host';
import { LEADER_QUEUE } from '../workflows/queues';
import { NODE_HEARTBEAT_MS } from '../workflows/timings';
import { deregisterNodeSignal, nodeHeartbeatSignal, registerNodeSignal, schedulerWorkflowId, type DeviceInfo, type NodeRegistration } from '../workflows/scheduler/messages';

export interface Membership {
  registration: NodeRegistration;
  stop(): Promise<void>;
}

export async function joinCluster(opts: { connection: ConnectionLike; namespace: string; cluster: string; node: string; devices: DeviceInfo[] }): Promise<Membership> {
  const client = new Client({ connection: opts.connection, namespace: opts.namespace });
  const host = await probeHost();
  const registration: NodeRegistration = {
    cluster: opts.cluster,
    node: opts.node,
    incarnation: randomUUID(),
    hardware: { hostname: host.hostname, cpuModel: host.cpuModel, cores: host.cores, memoryBytes: host.memoryBytes, gpus: host.gpus, providers: host.providers },
    devices: opts.devices,
    sentAt: Date.now(),
  };
  const workflowId = schedulerWorkflowId(opts.cluster);
  const send = (signal: typeof registerNodeSignal | typeof nodeHeartbeatSignal) =>
    client.workflow.signalWithStart('schedulerWorkflow', {
      workflowId,
      taskQueue: LEADER_QUEUE,
      args: [{ cluster: opts.cluster }],
      signal,
      signalArgs: [{ ...registration, sentAt: Date.now() }],
    });
  await send(registerNodeSignal);
  let beating: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // A beat that fails (server restarting) is simply missed; the next one carries the same registration.
    beating = send(nodeHeartbeatSignal).catch(() => undefined);
  }, NODE_HEARTBEAT_MS);
  timer.unref();
  let stopped: Promise<void> | null = null;
  return {
    registration,
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await beating;
        await client.workflow
          .getHandle(workflowId)
          .signal(deregisterNodeSignal, { node: opts.node, incarnation: registration.incarnation })
          .catch(() => undefined);
      })();
      return stopped;
    },
  };
}
