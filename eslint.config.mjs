// ESLint: typescript-eslint's recommended rules, and the layers of the house as import rules.
// A folder imports only the layers below it (README "Architecture"); a wrong import fails `npm test`
// (test/lint/layers.test.ts breaks each layer on purpose and expects these rules to say so).
import tseslint from 'typescript-eslint';

/** An import specifier that reaches into one of these top-level folders (relative or not). */
const into = (...folders) => `(^|/|\\.\\./)(${folders.join('|')})(/|$)`;

const ALL = ['lib', 'sim', 'workflows', 'sessions', 'activities', 'esl-bridge', 'workers', 'api', 'stack', 'cli', 'bench', 'test', 'scripts'];
const except = (...allowed) => ALL.filter((f) => !allowed.includes(f));

/** Layer rule: files matching `files` may import only from `allowed` (plus packages and their own folder). */
function layer(name, files, allowed, extra = []) {
  return {
    name: `layers/${name}`,
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: into(...except(...allowed)),
              message: `${name} may import only from: ${allowed.join(', ')} (see README, Architecture).`,
            },
            ...extra,
          ],
        },
      ],
    },
  };
}

const NODE_IO = {
  regex: '^(node:|fs$|path$|crypto$|child_process$|net$|http$|https$|os$|process$|timers$)',
  message: 'workflow code is deterministic: no I/O, clock or randomness outside Temporal APIs.',
};
const NO_TEMPORAL = { regex: '^@temporalio/', message: 'the engine is pure: the Temporal shell lives in workflows/, outside engine/.' };
const NO_IO_PACKAGES = {
  regex: '^(pino|express|pg|modesl|openai|@electric-sql/.*)$',
  message: 'workflow code is deterministic: I/O packages belong to activities, workers and the API.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'coverage/**', 'dist/**', 'tools/**', 'api/store/pglite-worker.js', 'web/portal/dist/**'] },
  ...tseslint.configs.recommended,
  {
    // A disable comment that no longer silences anything is an error: it must stay true or go.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  // Leaf libraries: the machine language, French parsing, peer clients, codec, ESL protocol adapter, …
  layer('lib', ['lib/**'], ['lib']),
  // Simulators of the peers depend on nothing of the product's.
  layer('sim', ['sim/**'], ['sim']),
  layer('workflows', ['workflows/**'], ['lib', 'workflows'], [NODE_IO, NO_IO_PACKAGES]),
  layer('engine', ['workflows/engine/**'], ['lib', 'workflows'], [NODE_IO, NO_IO_PACKAGES, NO_TEMPORAL]),
  layer('sessions', ['sessions/**'], ['lib', 'workflows', 'sessions']),
  layer('activities', ['activities/**'], ['lib', 'workflows', 'activities']),
  layer('esl-bridge', ['esl-bridge/**'], ['lib', 'workflows', 'sessions', 'esl-bridge']),
  layer('workers', ['workers/**'], ['lib', 'workflows', 'sessions', 'activities', 'workers']),
  layer('api', ['api/**'], ['lib', 'workflows', 'sessions', 'api']),
  // Composition roots: the only product code that may start simulators.
  layer('stack', ['stack/**'], except('cli', 'bench', 'test', 'scripts')),
  layer('cli', ['cli/**'], except('bench', 'test', 'scripts')),
  // The portal runs in the browser: it talks to the API over HTTP only and imports nothing of the server's.
  layer('web', ['web/**'], []),
  {
    name: 'tests',
    files: ['test/**'],
    // Tests read arbitrary JSON answers of servers and simulators: `any` there is the honest type of what they inspect.
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
