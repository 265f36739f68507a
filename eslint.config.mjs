// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What workflow code must not import: every Node built-in, and the libraries that do I/O. */
const sideEffectModules = [
  ...builtinModules.filter((name) => !name.startsWith('_')).flatMap((name) => [name, `node:${name}`]),
  // built-ins that exist only with the prefix, which builtinModules does not list on Node 20
  'node:test',
  'node:sea',
  'node:sqlite',
  'pg',
  'kysely',
  'kafkajs',
  'nodemailer',
  'twilio',
  'express',
  'pino',
  'prom-client',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
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
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises the runner itself tracks.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-len': ['error', { code: 120 }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through platform/config.ts, validated once at start-up.',
        },
      ],
    },
  },
  {
    // Tools that spawn the app's processes pass their environment through.
    files: ['platform/config.ts', 'test/**', 'tools/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Workflow code (and the contract it bundles) runs in Temporal's deterministic sandbox: no Node
    // built-ins, no I/O libraries, activities only through `import type` + proxyActivities.
    files: ['workflows/**/*.ts', 'contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: sideEffectModules.map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: do this in an activity.',
          })),
          patterns: [
            {
              group: ['**/activities', '**/activities/*'],
              allowTypeImports: true,
              message: 'Import activities with `import type` and call them through proxyActivities.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process'],
    },
  },
);
