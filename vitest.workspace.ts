/**
 * The Vitest projects: one per package, each running its own `test/` folder.
 * The root `vitest.config.ts` imports this list (Vitest 4 reads it from `test.projects`).
 *
 * Workspace packages resolve to their TypeScript sources through the `@petrichor/source`
 * export condition, so tests never need a build first.
 */
import type { TestProjectConfiguration } from 'vitest/config';

const conditions = ['@petrichor/source', 'module', 'node', 'development|production'];

function nodePackage(name: string): TestProjectConfiguration {
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@petrichor/source'] } },
    test: {
      name,
      root: `packages/${name}`,
      include: ['test/**/*.test.ts'],
      environment: 'node',
    },
  };
}

export const projects: TestProjectConfiguration[] = [
  nodePackage('wire'),
  nodePackage('mux'),
  nodePackage('rpc'),
  nodePackage('transport'),
  nodePackage('cli'),
];

export default projects;
