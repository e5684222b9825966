/** Jest runs the TypeScript sources directly (test/support/jestTransform.js); `npm test` (scripts/test.js) type-checks them with tsc beside it. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': '<rootDir>/test/support/jestTransform.js',
  },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/bufferEquality.ts'],
  // The slowest files start first, also on a fresh clone, which has no record of durations.
  testSequencer: '<rootDir>/test/support/slowFirstSequencer.js',
  // A bound for a hung test, not a speed target: on a shared machine the end-to-end runs take several times longer.
  testTimeout: 120000,
  // One more worker than the 2 cores the suite is sized for: many tests wait on child processes and sockets, and the
  // third keeps the cores busy meanwhile (on 2 idle cores, 110 s with 2 workers against 102-105 s with 3).
  maxWorkers: 3,
};
