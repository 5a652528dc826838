// Lint for `npm test`: typescript-eslint's recommended rules, and the rule that keeps workflow code
// workflow-safe (deterministic, no I/O): what it may import.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules outside workflows/ that workflow code imports values from: pure, no I/O (keep this list short). */
const WORKFLOW_SAFE = ['activities/job-summary', 'configs/patch', 'configs/settings', 'configs/defaults'];

/** Never in a workflow's bundle: Node's I/O, and packages that run outside the workflow sandbox. */
const UNSAFE_PACKAGES = {
  regex: `^(node:.*|(${builtinModules.join('|')})(/.*)?|@temporalio/(client|worker|activity|testing)|onnxruntime-node|@duckdb/.*|@grpc/.*)$`,
  message: 'workflow code must be deterministic and free of I/O: use an activity (see docs/ARCHITECTURE.md)',
};

/** A relative import that leaves workflows/ for anything but WORKFLOW_SAFE; `up` is '../' or '../../'. */
const outsideWorkflows = (up) => ({
  regex: `^${up.replaceAll('.', '\\.')}(?!(${WORKFLOW_SAFE.join('|')})$)(?!workflows/)(?!\\.\\./)`,
  allowTypeImports: true,
  message: `workflow code imports values only from workflows/ and the workflow-safe modules listed in eslint.config.mjs (${WORKFLOW_SAFE.join(', ')}); types are fine`,
});

const nodeGlobals = { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'test-output/**', '.venv/**', '.venv-systems/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (a destructured field left out, a loop counter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  // CommonJS entry points and configs.
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs', globals: nodeGlobals }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Tests read JSON answers loosely.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['workflows/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [UNSAFE_PACKAGES, outsideWorkflows('../')] }] },
  },
  {
    files: ['workflows/*/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [UNSAFE_PACKAGES, outsideWorkflows('../../')] }] },
  },
  {
    files: WORKFLOW_SAFE.map((m) => `${m}.ts`),
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [UNSAFE_PACKAGES] }] },
  },
);
