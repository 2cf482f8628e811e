import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.js';

export default defineConfig({
  test: {
    // Each project sets its own timeouts (vitest.workspace.ts): inline projects do not inherit them.
    projects,
  },
});
