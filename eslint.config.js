// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Core packages run unchanged in browsers: no Node built-ins outside node-only entry points. */
const browserSafe = {
  files: ['packages/{wire,mux,rpc,transport}/src/**/*.ts'],
  ignores: ['packages/*/src/node/**', 'packages/*/src/**/*.node.ts', 'packages/*/src/node.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: ['node:*'], message: 'Core packages run in browsers: keep node: imports in a node-only entry.' }] },
    ],
    'no-restricted-globals': [
      'error',
      { name: 'Buffer', message: 'Use Uint8Array: core packages run in browsers.' },
      { name: 'process', message: 'Core packages run in browsers.' },
      { name: 'require', message: 'ESM only.' },
    ],
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'docs/api/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  browserSafe,
);
