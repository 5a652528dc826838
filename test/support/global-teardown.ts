import type { DevServer } from '../../workers/devserver';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __TEMPORAL__?: DevServer }).__TEMPORAL__?.stop();
}
