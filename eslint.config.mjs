// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const sideEffectModules = [
  'fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'dns', 'child_process', 'worker_threads', 'timers',
  'pg', 'kysely', 'kafkajs', 'nodemailer', 'twilio', 'express', 'pino', 'prom-client',
  '@temporalio/client', '@temporalio/worker', '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test-artifacts/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // node:test's describe/it return promises the runner itself tracks.
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', {
        selector: "MemberExpression[object.name='process'][property.name='env']",
        message: 'Read configuration through lib/config.ts, validated once at start-up.',
      }],
    },
  },
  {
    // Tools that spawn the app's processes pass their environment through.
    files: ['lib/config.ts', 'scripts/**', 'test/**', 'bench/**', 'chaos/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries,
    // activities only through `import type` + proxyActivities.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: sideEffectModules.flatMap((name) => [name, `node:${name}`]).map((name) => ({
          name, message: 'Workflow code must stay deterministic: do this in an activity.',
        })),
        patterns: [{ group: ['../activities/*', '../activities'], allowTypeImports: true,
          message: 'Import activities with `import type` and call them through proxyActivities.' }],
      }],
      'no-restricted-globals': ['error', 'process'],
    },
  },
);
