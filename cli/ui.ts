/**
 * Links into the Temporal Web UI, printed only when they can be opened after the command that prints them: the
 * UI of a running `servebench up` (which leaves a note in the state directory), or TEMPORAL_UI_URL for another
 * server. An embedded server that `run` started stops with it, so its UI is not worth a link.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from '../workers/stack';
import type { TemporalTarget } from '../workers/connection';
import { stateDir } from '../workers/paths';

interface UpNote {
  pid: number;
  address: string;
  namespace: string;
  uiUrl: string | null;
}

const noteFile = (): string => join(stateDir(), 'up.json');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** `up` says where its UI is while it runs; remove() when it stops. */
export function announceUp(note: Omit<UpNote, 'pid'>): { remove(): void } {
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(noteFile(), JSON.stringify({ pid: process.pid, ...note } satisfies UpNote));
  return { remove: () => rmSync(noteFile(), { force: true }) };
}

/** The UI of a `servebench up` that is running now and serves `target`. */
function runningUpUi(target: Pick<TemporalTarget, 'address' | 'namespace'>): string | null {
  let note: UpNote;
  try {
    note = JSON.parse(readFileSync(noteFile(), 'utf8')) as UpNote;
  } catch {
    return null;
  }
  return note.address === target.address && note.namespace === target.namespace && alive(note.pid) ? note.uiUrl : null;
}

/** The Web UI of the server `up` runs or uses. */
export function uiBaseUrl(stack: Pick<Stack, 'server'>): string | null {
  return stack.server?.uiUrl ?? process.env.TEMPORAL_UI_URL ?? null;
}

/** A workflow's page in a UI that outlives this command; null for an embedded server this command started. */
export function lastingUiWorkflowUrl(stack: Pick<Stack, 'server' | 'target'>, workflowId: string): string | null {
  if (stack.server) return null;
  const base = process.env.TEMPORAL_UI_URL ?? runningUpUi(stack.target);
  return base ? `${base}/namespaces/${encodeURIComponent(stack.target.namespace)}/workflows/${encodeURIComponent(workflowId)}` : null;
}
