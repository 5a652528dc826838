/**
 * A child that leads its own process group, so stopping it stops everything it started: a peer serving system
 * forks helpers (tritonserver and its Python stubs, MLServer's parallel workers) that a kill of the child alone
 * would leave holding the device's cores and ports.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Spawns `cmd args` as the leader of a new process group (its pid is the group id). */
export function spawnGroup(cmd: string, args: string[], opts: Omit<SpawnOptions, 'detached'>): ChildProcess {
  return spawn(cmd, args, { ...opts, detached: true });
}

/**
 * Pids of the group's live members. On Linux from /proc (zombies excluded: they hold nothing and are reaped by
 * whoever inherited them); elsewhere only whether the group answers signal 0.
 */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(entry));
  }
  return members;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the group has no live member or `ms` passed; whether it is gone. */
async function groupGone(pgid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    if (Date.now() >= until) return false;
    await sleep(50);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nobody left in the group
  }
}

/**
 * SIGTERM to the whole group, SIGKILL to whatever is left after `graceMs`; resolves once no member lives.
 * Throws if something survives SIGKILL (it cannot, short of an unkillable D-state process): named, not hidden.
 */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  if (await groupGone(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  if (await groupGone(pgid, 5_000)) return;
  throw new Error(`processes ${groupMembers(pgid).join(', ')} of process group ${pgid} survived SIGKILL`);
}
