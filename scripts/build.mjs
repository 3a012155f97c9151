// One esbuild bundle for fast start-up (see docs/architecture.md). Split into
// chunks so commands that draw nothing never load Ink and React.
//
// The build is atomic for whoever is running dist/rampart.js meanwhile (tests,
// another terminal): it builds into a scratch directory, moves the chunks in
// first and the entry last, each by rename, and never deletes dist/.
import {build} from 'esbuild';
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, unlinkSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {fileURLToPath} from 'node:url';
import {join} from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const dist = join(root, 'dist');
const scratch = join(dist, `.build-${process.pid}`);
rmSync(scratch, {recursive: true, force: true});
mkdirSync(join(dist, 'chunks'), {recursive: true});

/** SHA-256 of each shipped runbook: "trusted as shipped" means these bytes. */
const bundledRunbooks = Object.fromEntries(
	readdirSync(join(root, 'runbooks'))
		.filter(name => name.endsWith('.md'))
		.sort()
		.map(name => [
			name,
			createHash('sha256')
				.update(readFileSync(join(root, 'runbooks', name)))
				.digest('hex'),
		]),
);

/** Ink's layout engine without fetch(), which costs the TUI ~30 ms at start: see source/ui/yoga-layout.ts. */
const yogaWithoutFetch = {
	name: 'yoga-without-fetch',
	setup(esbuild) {
		esbuild.onResolve({filter: /^yoga-layout$/}, () => ({path: join(root, 'source', 'ui', 'yoga-layout.ts')}));
	},
};

/** commander's node:child_process, loaded only when used: see scripts/lazy-child-process.cjs. */
const lazyChildProcessInCommander = {
	name: 'lazy-child-process-in-commander',
	setup(esbuild) {
		esbuild.onResolve({filter: /^node:child_process$/}, args =>
			/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? {path: join(root, 'scripts', 'lazy-child-process.cjs')} : undefined,
		);
	},
};

try {
	await build({
		absWorkingDir: root,
		entryPoints: {rampart: 'source/main.ts'},
		outdir: scratch,
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
			__BUNDLED_RUNBOOKS__: JSON.stringify(bundledRunbooks),
			'process.env.DEV': '"false"',
			// React's production build: the development one checks and warns on every render.
			'process.env.NODE_ENV': '"production"',
		},
		// Ink imports react-devtools-core only when DEV=true; marking it external
		// fails at run time, so it is replaced by an empty module.
		alias: {'react-devtools-core': './scripts/empty-module.mjs'},
		plugins: [yogaWithoutFetch, lazyChildProcessInCommander],
		banner: {
			js: "#!/usr/bin/env node\nimport {createRequire as __rampartCreateRequire} from 'node:module'; const require = __rampartCreateRequire(import.meta.url);",
		},
	});

	// Chunk names carry their content hash: moving them in cannot break the running entry.
	const fresh = new Set();
	for (const name of readdirSync(join(scratch, 'chunks'))) {
		renameSync(join(scratch, 'chunks', name), join(dist, 'chunks', name));
		fresh.add(name);
	}
	writeFileSync(join(scratch, 'package.json'), JSON.stringify({type: 'module'}) + '\n');
	// What this build is made of, for the single executable (scripts/package.mjs): dist/chunks also keeps older builds' chunks.
	writeFileSync(join(scratch, 'build-files.json'), JSON.stringify(['rampart.js', 'package.json', ...[...fresh].sort().map(name => `chunks/${name}`)]) + '\n');
	for (const name of ['package.json', 'build-files.json', 'rampart.js.map', 'rampart.js']) renameSync(join(scratch, name), join(dist, name));

	// Old chunks go once nothing started in the last few minutes could still load them.
	const stale = Date.now() - 10 * 60 * 1000;
	for (const name of readdirSync(join(dist, 'chunks'))) {
		const file = join(dist, 'chunks', name);
		if (!fresh.has(name) && statSync(file).mtimeMs < stale) unlinkSync(file);
	}
} finally {
	rmSync(scratch, {recursive: true, force: true});
}
