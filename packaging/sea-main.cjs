// The single executable's entry (Node's SEA runs one CommonJS script). It
// runs the very same ESM bundle as `node dist/rampart.js`, so nothing behaves
// differently: the bundle, its lazily loaded chunks and the bundled runbooks
// are assets inside the executable (scripts/package.mjs), written once to a
// directory only this user (or root) can change, and imported from there.
//
// Where that directory is:
// - the .deb's (or any) install tree: <prefix>/share/rampart beside
//   <prefix>/bin, when its sea-id names this executable's assets;
// - else a cache: $XDG_CACHE_HOME/rampart/sea-<id> (~/.cache/...), written
//   in a scratch directory and renamed into place, so a half-written tree is
//   never used;
// - else (no writable home) a private temporary directory, removed at exit.
// Either way the directory and those above it must be root's or this user's
// and writable by no one else (a sticky /tmp is fine): root must never
// import code another user could have put there.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const sea = require('node:sea');
const {pathToFileURL} = require('node:url');

const index = JSON.parse(sea.getAsset('index.json', 'utf8'));
const uid = process.geteuid();

/** The directory and every one above it: owned by root or us, and no one else can write (except a sticky parent). */
const trusted = dir => {
	let current;
	try {
		current = fs.realpathSync(dir);
	} catch {
		return false;
	}
	for (let first = true; ; first = false) {
		const info = fs.statSync(current);
		if (info.uid !== 0 && info.uid !== uid) return false;
		if ((info.mode & 0o022) !== 0 && (first || (info.mode & 0o1000) === 0)) return false;
		const parent = path.dirname(current);
		if (parent === current) return true;
		current = parent;
	}
};

const holdsThisBuild = dir => {
	try {
		return fs.readFileSync(path.join(dir, 'sea-id'), 'utf8').trim() === index.id && trusted(dir);
	} catch {
		return false;
	}
};

/** Every asset into `dir` (made 0700), sea-id last: its presence means the tree is whole. */
const extractInto = dir => {
	for (const name of index.files) {
		const file = path.join(dir, name);
		fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
		fs.writeFileSync(file, new Uint8Array(sea.getAsset(name)), {mode: 0o600});
	}
	fs.writeFileSync(path.join(dir, 'sea-id'), `${index.id}\n`, {mode: 0o600});
};

const cached = () => {
	const xdg = process.env.XDG_CACHE_HOME;
	const base = path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'rampart');
	const dir = path.join(base, `sea-${index.id}`);
	if (holdsThisBuild(dir)) return dir;
	fs.mkdirSync(base, {recursive: true, mode: 0o700});
	if (!trusted(base)) return undefined;
	const scratch = fs.mkdtempSync(path.join(base, '.extract-'));
	try {
		extractInto(scratch);
		fs.renameSync(scratch, dir);
	} catch (error) {
		fs.rmSync(scratch, {recursive: true, force: true});
		// Another rampart started at the same time and got there first.
		if (!holdsThisBuild(dir)) throw error;
	}
	forgetOldBuilds(base, dir);
	return dir;
};

/** Trees of earlier versions go once nothing started in the last day could still load their chunks. */
const forgetOldBuilds = (base, keep) => {
	const stale = Date.now() - 24 * 60 * 60 * 1000;
	for (const name of fs.readdirSync(base)) {
		const dir = path.join(base, name);
		if (dir !== keep && /^(sea-|\.extract-)/.test(name) && fs.statSync(dir).mtimeMs < stale) fs.rmSync(dir, {recursive: true, force: true});
	}
};

const temporary = () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-'));
	process.on('exit', () => fs.rmSync(dir, {recursive: true, force: true}));
	extractInto(dir);
	if (!trusted(dir)) throw new Error(`${dir} is not private to this user`);
	return dir;
};

/** The executable's own path, links resolved; as given when it was replaced (upgraded) since it started. */
const self = () => {
	try {
		return fs.realpathSync(process.execPath);
	} catch {
		return process.execPath;
	}
};

const appDir = () => {
	const installed = path.join(path.dirname(path.dirname(self())), 'share', 'rampart');
	if (holdsThisBuild(installed)) return installed;
	try {
		const dir = cached();
		if (dir) return dir;
	} catch {
		// A read-only or full home: fall through to a private temporary copy.
	}
	return temporary();
};

try {
	import(pathToFileURL(path.join(appDir(), 'dist', 'rampart.js')).href).catch(fail);
} catch (error) {
	fail(error);
}

function fail(error) {
	process.stderr.write(`rampart: cannot start: ${error && error.message ? error.message : error}\n`);
	process.exitCode = 70;
}
