import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.js';

export default defineConfig({
  test: {
    projects,
    // Tests use real sockets on loopback; a hung test is a failure, not a stall.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
