/**
 * Unit tests are pure logic; integration tests use one real Temporal dev server started in globalSetup.
 * One test file at a time: integration tests share the server's task queues and measure timings.
 */
module.exports = {
  // onnxruntime-node's outputs must share typed-array constructors with the test code.
  testEnvironment: '<rootDir>/test/support/onnxruntime-environment.js',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 180000,
};
