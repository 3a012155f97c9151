// ESLint 9 flat config, run by `npm run lint` (the first step of `npm test`).
//
// TypeScript 7 (the native compiler) has no JavaScript API, and typescript-eslint
// needs one. So package.json installs the two side by side, as Microsoft
// documents for 7.0: `typescript` is @typescript/typescript6 (the 6.0 API, what
// typescript-eslint loads) and `@typescript/native-7` is TypeScript 7.0, whose
// `tsc` is the one in node_modules/.bin (npm links the bin of the package whose
// path sorts first, and @typescript/native-7 sorts before typescript6's own
// @typescript/old). Not named `@typescript/native`: typescript-eslint takes that
// name as an optional peer for its experimental tsgo backend, which wants 7.1.
//
// Not type-aware by default: on this 2-core machine that takes 2-3 times as
// long (21-33 s for the whole tree against 8-16 s, measured while the machine
// was busy) and twice the memory (~800 MB). For a type-aware pass on demand:
// LINT_TYPES=1 npx eslint .
import js from '@eslint/js';
import {defineConfig} from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const typeAware = process.env.LINT_TYPES === '1';

export default defineConfig(
	{
		// BENCHMARKS.md, the bench output, is Markdown and not linted.
		ignores: ['dist/', 'node_modules/', 'coverage/', '.vitest-tmp/'],
	},
	{
		linterOptions: {reportUnusedDisableDirectives: 'error'},
		languageOptions: {
			ecmaVersion: 2023,
			sourceType: 'module',
			globals: globals.node,
			...(typeAware ? {parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname}} : {}),
		},
	},
	js.configs.recommended,
	typeAware ? tseslint.configs.recommendedTypeChecked : tseslint.configs.recommended,
	{
		rules: {
			// Leaving keys out of an object by destructuring them beside a rest
			// element ({seq: _seq, prev: _prev, ...body}) is this code's idiom.
			'@typescript-eslint/no-unused-vars': ['error', {ignoreRestSiblings: true}],
		},
	},
	{
		files: ['**/*.{ts,tsx}'],
		plugins: {'react-hooks': reactHooks},
		rules: {
			'react-hooks/rules-of-hooks': 'error',
			'react-hooks/exhaustive-deps': 'error',
		},
	},
	{
		files: ['**/*.cjs'],
		languageOptions: {sourceType: 'commonjs'},
		// CommonJS files load modules with require(); that is what they are for.
		rules: {'@typescript-eslint/no-require-imports': 'off'},
	},
	typeAware ? {files: ['**/*.{js,mjs,cjs}'], extends: [tseslint.configs.disableTypeChecked]} : {},
);
