/** Workflow entry points bundled by the leader worker. */
export { sweepWorkflow } from './sweep';
export { benchmarkWorkflow } from './benchmark';
export { schedulerWorkflow } from './scheduler/scheduler';
