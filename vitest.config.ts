/*
 * Vitest configuration. Tests live in test/**\/*.test.ts; each file starts its own servers on
 * port 0, so files may run in parallel. CI machines have 2 cores: two forked workers keep one
 * core for the servers under test without starving the runner.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    watch: false,
    // Network tests poll with deadlines well under these limits; a hang fails instead of stalling CI.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
    reporters: ['default'],
  },
});
