// `npm run package:deb`: dist/rampart_<version>_<arch>.deb, built with
// dpkg-deb from the single executable (scripts/package.mjs):
//
//   /usr/bin/rampart                               the executable
//   /usr/share/rampart/{dist,runbooks,package.json,sea-id}
//                                                  the bundle and the bundled runbooks it runs,
//                                                  so /usr/bin/rampart never writes a cache
//   /usr/share/man/man1/rampart.1.gz               scripts/man.mjs
//   /usr/share/bash-completion/completions/rampart rampart completion bash
//   /usr/share/zsh/vendor-completions/_rampart     rampart completion zsh
//   /etc/rampart/config.yaml                       a conffile, all comments (packaging/config.yaml)
//   /usr/share/doc/rampart/{copyright,changelog.gz}
//
// Root's records go to /var/lib/rampart, made by rampart itself (0700) the
// first time it records something; purge leaves them, as records should be.
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {tmpdir} from 'node:os';
import {dirname, join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync} from 'node:zlib';
import {packageExecutable} from './package.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const DEB_ARCH = {x64: 'amd64', arm64: 'arm64'};

const put = (stage, path, data, mode = 0o644) => {
	const file = join(stage, path);
	mkdirSync(dirname(file), {recursive: true, mode: 0o755});
	writeFileSync(file, data);
	chmodSync(file, mode);
};

/** Debian's gzip: best compression and no name or time stamp (reproducible). */
const gzip = data => gzipSync(data, {level: 9});

/** The shared libraries the executable needs, as dpkg-shlibdeps words them. */
const sharedLibraryDepends = executable => {
	const work = mkdtempSync(join(tmpdir(), 'rampart-shlibdeps-'));
	try {
		mkdirSync(join(work, 'debian'));
		writeFileSync(join(work, 'debian', 'control'), 'Source: rampart\n\nPackage: rampart\nArchitecture: any\n');
		const out = execFileSync('dpkg-shlibdeps', ['-O', `-e${executable}`], {cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
		return /shlibs:Depends=(.*)/.exec(out)?.[1].trim() ?? '';
	} finally {
		rmSync(work, {recursive: true, force: true});
	}
};

const nodeLicense = () => {
	// Debian's and NodeSource's packages, and nodejs.org's tarball (LICENSE beside bin/).
	const prefix = join(dirname(process.execPath), '..');
	for (const file of [join(prefix, 'share', 'doc', 'nodejs', 'LICENSE'), '/usr/share/doc/nodejs/LICENSE', join(prefix, 'LICENSE')]) {
		if (existsSync(file)) return readFileSync(file, 'utf8');
	}
	throw new Error("Node.js's LICENSE was not found (share/doc/nodejs/LICENSE beside this node): the package must carry it");
};

const md5sums = stage => {
	const lines = [];
	const walk = dir => {
		for (const name of readdirSync(dir).sort()) {
			const file = join(dir, name);
			if (statSync(file).isDirectory()) walk(file);
			else lines.push(`${createHash('md5').update(readFileSync(file)).digest('hex')}  ${relative(stage, file)}`);
		}
	};
	for (const top of readdirSync(stage)) if (top !== 'DEBIAN' && top !== 'etc') walk(join(stage, top));
	return `${lines.join('\n')}\n`;
};

const installedKb = stage => {
	let bytes = 0;
	const walk = dir => {
		for (const name of readdirSync(dir)) {
			const info = statSync(join(dir, name));
			if (info.isDirectory()) walk(join(dir, name));
			else bytes += info.size;
		}
	};
	walk(stage);
	return Math.ceil(bytes / 1024);
};

export const packageDeb = () => {
	const {version, files, id, executable} = packageExecutable();
	const arch = DEB_ARCH[process.arch];
	if (!arch) throw new Error(`no Debian architecture for ${process.arch}`);
	const bundle = join(root, 'dist', 'rampart.js');
	const rampart = (...args) => execFileSync(process.execPath, [bundle, ...args], {encoding: 'utf8'});
	const stage = mkdtempSync(join(tmpdir(), 'rampart-deb-'));
	try {
		chmodSync(stage, 0o755);
		put(stage, 'usr/bin/rampart', readFileSync(executable), 0o755);
		for (const [name, data] of files) put(stage, `usr/share/rampart/${name}`, data);
		put(stage, 'usr/share/rampart/sea-id', `${id}\n`);
		const man = join(stage, 'rampart.1');
		execFileSync(process.execPath, [join(root, 'scripts', 'man.mjs'), man], {stdio: 'ignore'});
		put(stage, 'usr/share/man/man1/rampart.1.gz', gzip(readFileSync(man)));
		rmSync(man);
		put(stage, 'usr/share/bash-completion/completions/rampart', rampart('completion', 'bash'));
		put(stage, 'usr/share/zsh/vendor-completions/_rampart', rampart('completion', 'zsh'));
		put(stage, 'etc/rampart/config.yaml', readFileSync(join(root, 'packaging', 'config.yaml')));
		put(stage, 'usr/share/doc/rampart/copyright', readFileSync(join(root, 'packaging', 'copyright')));
		// Node's own license text holds those of every library inside the runtime, Apache-2.0 and GPL texts among them: beside copyright, not in it.
		put(stage, 'usr/share/doc/rampart/LICENSE.nodejs.gz', gzip(nodeLicense()));
		put(stage, 'usr/share/doc/rampart/changelog.gz', gzip(readFileSync(join(root, 'packaging', 'changelog'))));
		const control = readFileSync(join(root, 'packaging', 'control'), 'utf8')
			.replace('@VERSION@', version)
			.replace('@ARCH@', arch)
			.replace('@DEPENDS@', ['bash (>= 5.0)', sharedLibraryDepends(join(stage, 'usr/bin/rampart'))].filter(Boolean).join(', '))
			.replace('@SIZE@', String(installedKb(stage)));
		put(stage, 'DEBIAN/control', control);
		put(stage, 'DEBIAN/conffiles', '/etc/rampart/config.yaml\n');
		put(stage, 'DEBIAN/md5sums', md5sums(stage));
		const deb = join(root, 'dist', `rampart_${version}_${arch}.deb`);
		execFileSync('dpkg-deb', ['--build', '--root-owner-group', '-Zxz', stage, deb], {stdio: ['ignore', 'ignore', 'inherit']});
		process.stdout.write(`${deb}\n`);
		return deb;
	} finally {
		rmSync(stage, {recursive: true, force: true});
	}
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const deb = packageDeb();
	// --lintian (npm run package:deb): lintian's findings, where it is installed; docs/install.md says which are expected and why.
	if (process.argv.includes('--lintian')) {
		if (spawnSync('lintian', ['--version'], {stdio: 'ignore'}).status === 0) spawnSync('lintian', [deb], {stdio: 'inherit'});
		else process.stderr.write('package:deb: lintian is not installed (apt-get install lintian), not checked\n');
	}
}
