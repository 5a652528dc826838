/**
 * Task-queue names: the leader queue runs workflows and analysis; the cluster tier (compile, any node of the
 * cluster) and the device tier (serve + load, one device, one measurement at a time). Pure, shared by
 * workflows and workers.
 */
export const LEADER_QUEUE = 'servebench.leader';

export function clusterQueue(cluster: string): string {
  return `servebench.${cluster}`;
}

export function deviceQueue(cluster: string, node: string, device: string): string {
  return `servebench.${cluster}.${node}.${device}`;
}
