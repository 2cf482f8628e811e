import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/all.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
});
