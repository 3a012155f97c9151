// `npm run package`: the single executable, dist/rampart-linux-<arch>. Node's
// single-executable-application support (node --experimental-sea-config, then
// postject) puts packaging/sea-main.cjs and, as assets, the esbuild bundle of
// this build, a package.json and the bundled runbooks into a copy of the node
// binary that runs this script. packaging/sea-main.cjs says how they are used.
//
// Only the architecture of that node binary can be built: another would need
// another node binary, which this script does not download.
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
/** Fixed by Node for every SEA: postject looks for it to flip the fuse. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const run = (command, args, options = {}) => {
	const result = spawnSync(command, args, {cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options});
	if (result.status !== 0)
		throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
	return result.stdout;
};

/** The files of the app tree, by their path inside it, from the build just made. */
export const appFiles = () => {
	const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
	const built = JSON.parse(readFileSync(join(dist, 'build-files.json'), 'utf8')).filter(name => !name.endsWith('.map'));
	// The shebang esbuild's banner puts on every chunk: these files are imported, never run, so they go without it.
	const withoutShebang = data => (data.subarray(0, 2).toString() === '#!' ? data.subarray(data.indexOf(10) + 1) : data);
	const files = new Map(built.map(name => [`dist/${name}`, withoutShebang(readFileSync(join(dist, name)))]));
	// The bundle finds its runbooks/ by walking up to a directory with a package.json beside it.
	files.set('package.json', Buffer.from(`${JSON.stringify({name: pkg.name, version: pkg.version, type: 'module', private: true}, null, 2)}\n`));
	for (const name of readdirSync(join(root, 'runbooks')).sort()) {
		if (name.endsWith('.md')) files.set(`runbooks/${name}`, readFileSync(join(root, 'runbooks', name)));
	}
	const hash = createHash('sha256');
	for (const [name, data] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${name}\0${data.length}\0`).update(data);
	return {version: pkg.version, files, id: `${pkg.version}-${hash.digest('hex').slice(0, 16)}`};
};

export const executablePath = (arch = process.arch) => join(dist, `rampart-linux-${arch}`);

/** Builds the bundle (unless `build` is false) and the executable; returns what is inside it. */
export const packageExecutable = ({build = true} = {}) => {
	if (process.platform !== 'linux') throw new Error('the single executable is built on Linux only');
	if (build) run(process.execPath, [join(root, 'scripts', 'build.mjs')], {stdio: ['ignore', 'inherit', 'inherit']});
	const app = appFiles();
	const {files, id} = app;
	const work = mkdtempSync(join(tmpdir(), 'rampart-sea-'));
	try {
		const assets = {};
		mkdirSync(join(work, 'assets'));
		for (const [name, data] of files) {
			const file = join(work, 'assets', name.replaceAll('/', '__'));
			writeFileSync(file, data, {flag: 'w'});
			assets[name] = file;
		}
		writeFileSync(join(work, 'index.json'), JSON.stringify({id, files: [...files.keys()]}));
		assets['index.json'] = join(work, 'index.json');
		const config = {main: join(root, 'packaging', 'sea-main.cjs'), output: join(work, 'sea.blob'), disableExperimentalSEAWarning: true, useCodeCache: false, assets};
		writeFileSync(join(work, 'sea.json'), JSON.stringify(config));
		run(process.execPath, ['--experimental-sea-config', join(work, 'sea.json')]);
		const target = executablePath();
		const scratch = join(work, 'rampart');
		copyFileSync(process.execPath, scratch);
		chmodSync(scratch, 0o755);
		// Without its symbols (debug info): about 12 MB less, before the blob goes in (stripping after would drop it).
		if (spawnSync('strip', ['--version'], {stdio: 'ignore'}).status === 0) run('strip', ['--strip-all', scratch]);
		else process.stderr.write("package: strip (binutils) not found: the executable keeps node's symbols\n");
		run(process.execPath, [join(root, 'node_modules', 'postject', 'dist', 'cli.js'), scratch, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', SEA_FUSE]);
		// Renamed in whole: a test or a shell running the previous one is not cut short.
		copyFileSync(scratch, `${target}.tmp`);
		chmodSync(`${target}.tmp`, 0o755);
		renameSync(`${target}.tmp`, target);
		process.stdout.write(`${target} (${id}, ${files.size} files inside)\n`);
		return {...app, executable: target};
	} finally {
		rmSync(work, {recursive: true, force: true});
	}
};

// --no-build packages the bundle already in dist/.
if (process.argv[1] === fileURLToPath(import.meta.url)) packageExecutable({build: !process.argv.includes('--no-build')});
