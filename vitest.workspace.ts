/**
 * The Vitest projects: one per package, each running its own `test/` folder.
 * The root `vitest.config.ts` imports this list (Vitest 4 reads it from `test.projects`).
 *
 * Workspace packages resolve to their TypeScript sources through the `@petrichor/source`
 * export condition, so tests never need a build first.
 */
import type { TestProjectConfiguration } from 'vitest/config';

const conditions = ['@petrichor/source', 'module', 'node', 'development|production'];

function nodePackage(name: string, root = `packages/${name}`): TestProjectConfiguration {
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@petrichor/source'] } },
    test: {
      name,
      root,
      include: ['test/**/*.test.ts'],
      environment: 'node',
      // Inline projects do not inherit the root's timeouts. Property tests and real sockets on a
      // shared 2-core machine need room; a hung test still fails, after 30 s.
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
}

export const projects: TestProjectConfiguration[] = [
  nodePackage('wire'),
  nodePackage('mux'),
  nodePackage('rpc'),
  nodePackage('transport'),
  nodePackage('cli'),
  nodePackage('http'),
  nodePackage('echo', 'examples/echo'),
  nodePackage('mesh', 'examples/mesh'),
  nodePackage('browser', 'examples/browser'),
  nodePackage('hardening', 'hardening'),
  nodePackage('docs', 'docs'),
];

export default projects;
