// One esbuild bundle for fast start-up (see docs/architecture.md). Split into
// chunks so commands that draw nothing never load Ink and React.
import {build} from 'esbuild';
import {rmSync, mkdirSync, writeFileSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
rmSync(`${root}dist`, {recursive: true, force: true});
mkdirSync(`${root}dist`, {recursive: true});

await build({
	absWorkingDir: root,
	entryPoints: {rampart: 'source/main.ts'},
	outdir: 'dist',
	bundle: true,
	splitting: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	chunkNames: 'chunks/[name]-[hash]',
	sourcemap: 'linked',
	legalComments: 'none',
	logLevel: 'warning',
	define: {
		__RAMPART_VERSION__: JSON.stringify(pkg.version),
		'process.env.DEV': '"false"',
	},
	// Ink imports react-devtools-core only when DEV=true; marking it external
	// fails at run time, so it is replaced by an empty module.
	alias: {'react-devtools-core': './scripts/empty-module.mjs'},
	banner: {
		js: "#!/usr/bin/env node\nimport {createRequire as __rampartCreateRequire} from 'node:module'; const require = __rampartCreateRequire(import.meta.url);",
	},
});
// Chunks must not carry the shebang line twice; only the entry is executed.
writeFileSync(`${root}dist/package.json`, JSON.stringify({type: 'module'}) + '\n');
