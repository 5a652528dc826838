/** Signals and queries shared by the sweep workflow, its children and the CLI. */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export type JobStage = 'queued' | 'compile' | 'measure' | 'record' | 'completed' | 'failed';

export interface SweepProgress {
  sweepId: string;
  name: string;
  status: 'planning' | 'running' | 'completed' | 'failed';
  total: number;
  done: number;
  failed: number;
  /** Jobs started and not yet finished, with the stage each is in. */
  active: Record<string, JobStage>;
}

export const jobStageSignal = defineSignal<[{ jobId: string; stage: JobStage }]>('jobStage');
export const progressQuery = defineQuery<SweepProgress>('progress');
