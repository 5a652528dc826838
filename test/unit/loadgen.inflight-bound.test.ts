import { runLoad } from '../../activities/loadgen/driver';
import { modelEndpoint } from '../../activities/loadgen/endpoint';
import { LoadLimitError } from '../../activities/loadgen/limits';
import { Sender } from '../../activities/loadgen/sender';

// Port 9 (discard) on loopback: nothing listens, so connections are refused; nothing here needs a server.
const ep = modelEndpoint('http://127.0.0.1:9', 'm');

describe('the sender bounds requests in flight', () => {
  test('past maxInflight a send is refused with a LoadLimitError, and nothing is sent', () => {
    const sender = new Sender(ep, [{ body: Buffer.from('{}') }], 10_000, 0, 3); // no sockets: every request waits
    const done = jest.fn();
    for (let i = 0; i < 3; i++) sender.send(done);
    expect(() => sender.send(done)).toThrow(LoadLimitError);
    expect(() => sender.send(done)).toThrow("requests in flight reached the load generator's bound of 3");
    expect(sender.inflight).toBe(3);
    sender.close();
    expect(done).not.toHaveBeenCalled();
  });

  test('a run at a rate no sender can keep fails with a message naming the rate, not a RangeError from a Set', async () => {
    const run = runLoad({ baseUrl: 'http://127.0.0.1:9', modelName: 'm', body: Buffer.from('{}'), mode: 'server', rate: 1e9, warmupMs: 0, durationMs: 1000, seed: 1 });
    await expect(run).rejects.toThrow(LoadLimitError);
    await expect(run).rejects.toThrow(
      "requests in flight reached the load generator's bound of 1,048,576 at workload.rate 1,000,000,000 requests/s and a 10000 ms request timeout: lower the load",
    );
  }, 60_000);
});
