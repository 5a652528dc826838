import { sweepStatus } from '../../workflows/sweep-status';

describe('sweepStatus: one decision for the workflow, status and rebuild', () => {
  test('a completed workflow whose every job failed is a failed sweep', () => {
    expect(sweepStatus({ execution: 'COMPLETED', jobsTotal: 1, jobsFailed: 1 })).toBe('failed');
    expect(sweepStatus({ execution: 'COMPLETED', jobsTotal: 3, jobsFailed: 3 })).toBe('failed');
  });

  test('a completed workflow with any job completed is a completed sweep', () => {
    expect(sweepStatus({ execution: 'COMPLETED', jobsTotal: 3, jobsFailed: 2 })).toBe('completed');
    expect(sweepStatus({ execution: 'COMPLETED', jobsTotal: 3, jobsFailed: 0 })).toBe('completed');
  });

  test('an empty sweep, or counts not known, is completed', () => {
    expect(sweepStatus({ execution: 'COMPLETED', jobsTotal: 0, jobsFailed: 0 })).toBe('completed');
    expect(sweepStatus({ execution: 'COMPLETED', jobsTotal: null, jobsFailed: null })).toBe('completed');
    expect(sweepStatus({ execution: 'COMPLETED', jobsTotal: 2, jobsFailed: null })).toBe('completed');
  });

  test('running, cancelled, and every other way a workflow ends', () => {
    expect(sweepStatus({ execution: 'RUNNING', jobsTotal: 2, jobsFailed: 2 })).toBe('running');
    expect(sweepStatus({ execution: 'CONTINUED_AS_NEW', jobsTotal: 2, jobsFailed: 0 })).toBe('running');
    expect(sweepStatus({ execution: 'CANCELLED', jobsTotal: 2, jobsFailed: 0 })).toBe('cancelled');
    for (const execution of ['FAILED', 'TERMINATED', 'TIMED_OUT']) expect(sweepStatus({ execution, jobsTotal: 2, jobsFailed: 0 })).toBe('failed');
  });
});
