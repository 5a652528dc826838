import { POLLER_RECENT_MS, pollerAlive } from '../../workers/poller-liveness';

const now = 1_000_000_000;
const runs = new Set([4242]);
const alive = (identity: string, agoMs: number | null) =>
  pollerAlive({ identity, lastAccessMs: agoMs === null ? null : now - agoMs }, now, 'box1', (pid) => runs.has(pid));

test('a worker of this host counts while its process runs, however recent its last poll', () => {
  expect(alive('4242@box1', 1000)).toBe(true);
  expect(alive('5151@box1', 1000)).toBe(false); // exited a second ago: the server still lists it
});

test('a worker elsewhere, or with an identity of its own, counts by the time of its last poll', () => {
  expect(alive('5151@box2', 1000)).toBe(true);
  expect(alive('my-leader', POLLER_RECENT_MS - 1)).toBe(true);
  expect(alive('my-leader', POLLER_RECENT_MS)).toBe(false);
  expect(alive('4242@box1', POLLER_RECENT_MS + 1)).toBe(false);
  expect(alive('4242@box1', null)).toBe(false);
});
