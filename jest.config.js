/** Jest runs the TypeScript sources directly; `npm test` (scripts/test.js) type-checks them with tsc beside it. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  // A bound for a hung test, not a speed target: on a shared machine the end-to-end runs take several times longer.
  testTimeout: 120000,
  maxWorkers: 2,
};
