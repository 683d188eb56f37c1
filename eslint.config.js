import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import moduleBoundaries from './eslint-rules/module-boundaries.js';

const IO_PACKAGES = [
  '@prisma/*',
  'amqplib',
  'smtp-server',
  'imapflow',
  'fastify',
  'pg',
  'node:net',
  'node:fs',
  'node:fs/promises',
];

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'src/generated', 'bench/out', 'coverage'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // `query<T>(sql): Promise<{ rows: T[] }>` names the row type the caller expects; that is its job.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      // `(x) => log.warn(...)` as a listener is idiomatic; the rule's value is in statements, not shorthands.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only src/config reads process.env; pass configuration down.',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: 'throw HubError with a code',
        },
      ],
    },
  },
  {
    // A module is used through its index.ts (docs/architecture.md, rule 2).
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/*/test-support/**'],
    plugins: { lienthong: moduleBoundaries },
    rules: { 'lienthong/module-entry': 'error' },
  },
  {
    // Pure libraries: no I/O, no knowledge of other modules.
    files: ['src/*/domain/**/*.ts', 'src/edxml/**/*.ts', 'src/text/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: IO_PACKAGES, message: 'pure module: no I/O here' }] },
      ],
    },
  },
  {
    files: [
      'src/config/**',
      'scripts/**',
      'test/support/**',
      'bench/**',
      'bin/**',
      'prisma.config.ts',
      'vitest.config.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['scripts/**', 'bench/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      'no-restricted-syntax': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'vi', property: 'mock', message: 'Use the real server; fake only our own ports.' },
        { object: 'process', property: 'env', message: 'Read test settings through test/support.' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['test/support/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
  {
    // The web console: plain ES modules that run in the browser as served (no build step).
    files: ['src/web/console/**/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        window: 'readonly',
        location: 'readonly',
        localStorage: 'readonly',
        fetch: 'readonly',
        FormData: 'readonly',
        URLSearchParams: 'readonly',
        Node: 'readonly',
        Event: 'readonly',
        CSS: 'readonly',
      },
    },
  },
);
