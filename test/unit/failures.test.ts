import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { FAILURE, NON_RETRYABLE, applicationFailureOf, invalidConfig, invalidModel, isFailure, isNonRetryable, serverStartFailed, systemUnavailable, externalServerUnavailable } from '../../workflows/failures';

const inActivity = (cause: Error) => new ActivityFailure('activity failed', 'measure', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);

describe('failures', () => {
  test('each constructor makes a non-retryable failure of its type', () => {
    const made = [invalidConfig('a'), invalidModel('b'), externalServerUnavailable('c'), systemUnavailable('d'), serverStartFailed('e')];
    expect(made.map((f) => [f.type, f.nonRetryable, f.message])).toEqual([
      ['InvalidConfig', true, 'a'],
      ['InvalidModel', true, 'b'],
      ['ExternalServerUnavailable', true, 'c'],
      ['SystemUnavailable', true, 'd'],
      ['ServerStartFailed', true, 'e'],
    ]);
    expect(new Set(NON_RETRYABLE)).toEqual(new Set(made.map((f) => f.type)));
  });

  test('the type is found through the cause chain', () => {
    const inner = invalidConfig('serving.batching: cannot be batched');
    const outer = Object.assign(new Error('sweep failed'), { cause: inActivity(inner) });
    expect(applicationFailureOf(outer)).toBe(inner);
    expect(isFailure(outer, FAILURE.invalidConfig)).toBe(true);
    expect(isFailure(outer, FAILURE.invalidModel)).toBe(false);
    expect(isFailure(new Error('plain'), FAILURE.invalidConfig)).toBe(false);
  });

  test('non-retryable: the flag, or a known type without it (rebuilt from another process); plain errors and timeouts are retryable', () => {
    expect(isNonRetryable(inActivity(invalidModel('x')))).toBe(true);
    expect(isNonRetryable(inActivity(ApplicationFailure.create({ message: 'x', type: FAILURE.invalidConfig, nonRetryable: false })))).toBe(true);
    expect(isNonRetryable(inActivity(ApplicationFailure.retryable('flaky', 'Flaky')))).toBe(false);
    expect(isNonRetryable(inActivity(new Error('socket hang up')))).toBe(false);
    expect(isNonRetryable(inActivity(new TimeoutFailure('heartbeat', undefined, TimeoutType.HEARTBEAT)))).toBe(false);
  });
});
