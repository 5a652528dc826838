/**
 * The benchmark workflow's side of a device lease: ask the cluster's scheduler by signal, wait for the grant
 * signal, give the device back. Workflow code (deterministic); the scheduler is started on demand.
 */
import { CancellationScope, condition, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { leader } from '../activities';
import {
  leaseGrantedSignal,
  releaseLeaseSignal,
  requestLeaseSignal,
  schedulerWorkflowId,
  type LeaseGrant,
  type LeaseRequest,
  type ReleaseOutcome,
} from './messages';

export class LeaseClient {
  private grants: LeaseGrant[] = [];
  private count = 0;
  private readonly scheduler: string;

  constructor(private readonly cluster: string) {
    this.scheduler = schedulerWorkflowId(cluster);
    setHandler(leaseGrantedSignal, (g) => {
      this.grants.push(g);
    });
  }

  /** Waits for a device; cancellation (sweep cancelled) withdraws the request. */
  async acquire(req: Omit<LeaseRequest, 'requestId' | 'workflowId'>): Promise<LeaseGrant> {
    const requestId = `${workflowInfo().workflowId}#${++this.count}`;
    await this.signal(requestLeaseSignal, { ...req, requestId, workflowId: workflowInfo().workflowId });
    try {
      await condition(() => this.grants.some((g) => g.requestId === requestId));
    } catch (err) {
      await this.release(requestId, 'cancelled');
      throw err;
    }
    // A grant for an earlier request we gave up on is handed straight back.
    for (const stale of this.grants.filter((g) => g.requestId !== requestId)) await this.release(stale.requestId, 'cancelled');
    const grant = this.grants.find((g) => g.requestId === requestId)!;
    this.grants = [];
    return grant;
  }

  /** Runs even when the workflow is being cancelled: a lease must never outlive its holder's interest. */
  async release(requestId: string, outcome: ReleaseOutcome): Promise<void> {
    await CancellationScope.nonCancellable(() => this.signal(releaseLeaseSignal, { requestId, outcome }));
  }

  private async signal<T>(def: typeof requestLeaseSignal | typeof releaseLeaseSignal, arg: T): Promise<void> {
    const send = () => getExternalWorkflowHandle(this.scheduler).signal(def as never, arg as never);
    try {
      await send();
    } catch {
      // No scheduler (first use, or it was terminated): start it and try once more.
      await leader.ensureScheduler(this.cluster);
      await send();
    }
  }
}
