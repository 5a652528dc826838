import { MockActivityEnvironment } from '@temporalio/testing';
import { heartbeatingAll } from '../../activities/heartbeat';

test('a wrapped activity beats as it starts, says which it is, returns its result and stops beating', async () => {
  const env = new MockActivityEnvironment();
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const { recordJob } = heartbeatingAll({ recordJob: async (id: string) => (await held, `recorded ${id}`) }, 10);
  const running = env.run(recordJob, 'j1');
  // It beats while it waits (here: for a lock the test holds), not only when it makes progress.
  while (beats.length < 3) await new Promise((r) => setTimeout(r, 5));
  release();
  await expect(running).resolves.toBe('recorded j1');
  const after = beats.length;
  await new Promise((r) => setTimeout(r, 50));
  expect(beats.length).toBe(after);
  expect(beats[0]).toEqual({ activity: 'recordJob' });
});
