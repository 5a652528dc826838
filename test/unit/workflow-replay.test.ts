/**
 * Replay: histories recorded from a real run (test/fixtures/histories, listed in index.json) are replayed against
 * the workflow code of this checkout, bundled from source. A workflow still running in a deployment when new code
 * is deployed is replayed the same way by the new workers, so a change that makes the code issue different
 * commands for the same history (another activity, a timer more or less, signals in another order, a child with
 * another id) fails here instead of failing those workflows with a non-determinism error.
 *
 * When this test fails, the change breaks running workflows. The fix is not to re-record: keep the old path for
 * histories that took it, with `patched('<change-id>')` from @temporalio/workflow (new code inside
 * `if (patched(id))`, the old code in the else branch; later `deprecatePatch(id)` once no history without the
 * patch is left running), and leave these histories as they are — they are the old workflows the patch protects.
 * Every set under test/fixtures/histories is replayed, and sets are only ever added: record a new one
 * (`npm run histories:record -- v2`, then commit it) with an intentional, versioned workflow change that adds
 * paths worth covering, once the old sets replay against the new code (patched). A new recording never stands in
 * for the running workflows an incompatible change would break. docs/WORKFLOW-CHANGES.md says the same.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Worker } from '@temporalio/worker';
import { installWorkerLogging } from '../../workers/logging';
import { WORKFLOWS_PATH } from '../../workers/workflow-code';
import { readHistoryFile } from '../support/history-json';
import type { HistoryFixture } from '../support/record-histories';

const ROOT = join(__dirname, '..', 'fixtures', 'histories');

interface HistorySet {
  dir: string;
  scenario: string;
  histories: HistoryFixture[];
}

/** Every recorded set (test/fixtures/histories/<set>/index.json): old sets stay, they are the running workflows. */
const sets: HistorySet[] = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({ dir: join(ROOT, d.name), ...(JSON.parse(readFileSync(join(ROOT, d.name, 'index.json'), 'utf8')) as Omit<HistorySet, 'dir'>) }));
const all = sets.flatMap((s) => s.histories.map((h) => ({ ...h, path: join(s.dir, h.file) })));

beforeAll(() => {
  // The replay worker's own logs (bundling, worker states) go to a file, as the other tests' workers do.
  installWorkerLogging(join(mkdtempSync(join(tmpdir(), 'sb-replay-')), 'logs'), 'WARN');
});

test('the recorded histories cover the sweep, the benchmark and the scheduler, and the paths that matter', () => {
  const byType = (t: string) => all.filter((h) => h.workflowType === t);
  const events = (t: string) => byType(t).flatMap((h) => readHistoryFile(h.path).events ?? []);
  // A sweep with several children.
  expect(events('sweepWorkflow').filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length).toBeGreaterThanOrEqual(3);
  // Benchmarks completed on the first device, completed after their device was lost, failed for want of a device.
  const benchmarks = byType('benchmarkWorkflow').map((h) => h.covers).join('\n');
  expect(benchmarks).toMatch(/^benchmark completed on \S+ \(/m);
  expect(benchmarks).toMatch(/first device lost/);
  expect(benchmarks).toMatch(/^benchmark failed: target.device: no device/m);
  // The scheduler: every signal it handles, grants sent, the holder check, continue-as-new.
  const scheduler = events('schedulerWorkflow');
  const signals = new Set(scheduler.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean));
  expect([...signals].sort()).toEqual(['deregisterNode', 'nodeHeartbeat', 'registerNode', 'releaseLease', 'requestLease']);
  expect(scheduler.some((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === 'leaseGranted')).toBe(true);
  expect(scheduler.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'workflowsNotRunning')).toBe(true);
  expect(scheduler.some((e) => e.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);
});

test('every recorded history replays against the current workflow code', async () => {
  const histories = all.map((h) => ({ workflowId: h.workflowId, history: readHistoryFile(h.path) }));
  const failures: string[] = [];
  let replayed = 0;
  // One replay worker for all histories; it yields one result per history, in order.
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories)) {
    const h = all[replayed++];
    if (result.error) failures.push(`${relative(ROOT, h.path)} (${h.workflowType} ${h.workflowId}): ${result.error.name}: ${result.error.message}`);
  }
  expect(replayed).toBe(all.length);
  expect(failures).toEqual([]);
});
