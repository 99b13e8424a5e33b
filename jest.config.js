/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Shared lakehouses, built once per code version before any suite (tests/fixtures/).
  globalSetup: '<rootDir>/tests/fixtures/global_setup.ts',
  globalTeardown: '<rootDir>/tests/fixtures/global_teardown.ts',
  testSequencer: '<rootDir>/tests/fixtures/sequencer.js',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // hyparquet (Delta checkpoints) and @platformatic/kafka (the Kafka client) ship ES modules only; jest loads CommonJS
    '/node_modules/(hyparquet|@platformatic/[\\w-]+)/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|@platformatic)/)'],
  testTimeout: 120000,
  maxWorkers: 2,
};
