// Lint: typescript-eslint's recommended rules, plus the one-way import direction
// serving → training → features → pipelines → core (a level may be skipped; none points back).
const tseslint = require('typescript-eslint');
const js = require('@eslint/js');

const LAYERS = ['core', 'pipelines', 'features', 'training', 'serving'];
const OUTSIDE = ['cli', 'bench', 'tests', 'notebooks'];

function forbid(layer) {
  const above = [...LAYERS.slice(LAYERS.indexOf(layer) + 1), ...OUTSIDE];
  return {
    files: [`${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `(^|/)(${above.join('|')})(/|$)`,
              message: `${layer}/ may import only from layers below it (${LAYERS.slice(0, LAYERS.indexOf(layer)).join(', ') || 'none'}): imports point serving → training → features → pipelines → core.`,
            },
          ],
        },
      ],
    },
  };
}

module.exports = tseslint.config(
  { ignores: ['node_modules/', '.venv/', 'dist/', 'lakehouse/', 'mlruns/', 'reports/', 'coverage/', 'notebooks/kernel/', 'notebooks/*.ipynb'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  ...LAYERS.map(forbid),
  {
    // the dashboard's browser modules (served as they are: no build step)
    files: ['serving/dashboard/public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'fetch', 'URLSearchParams', 'EventSource', 'Node', 'addEventListener', 'Plot'].map((g) => [g, 'readonly']),
      ),
    },
  },
);
