/** Signals and queries shared by the sweep workflow, its children and the CLI. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SweepStatus } from './sweep-status';

/** `waiting`: for a device lease from the scheduler; `measure`: on the device (single tier: compile there too). */
export type JobStage = 'queued' | 'compile' | 'waiting' | 'measure' | 'record' | 'completed' | 'failed';

export interface SweepProgress {
  sweepId: string;
  name: string;
  status: 'planning' | SweepStatus;
  total: number;
  done: number;
  failed: number;
  /** Jobs started and not yet finished, with the stage each is in. */
  active: Record<string, JobStage>;
}

export const jobStageSignal = defineSignal<[{ jobId: string; stage: JobStage }]>('jobStage');
export const progressQuery = defineQuery<SweepProgress>('progress');
