// Which runbooks are trusted as shipped: those in the bundled runbooks/
// directory whose content is exactly what the build recorded. The build
// (scripts/build.mjs) puts the SHA-256 of each runbooks/*.md into the bundle,
// so an installed copy whose runbook was edited afterwards no longer counts as
// bundled: it needs approval like any other file.

import {createHash} from 'node:crypto';
import {readdirSync, readFileSync, realpathSync} from 'node:fs';
import {join, relative, isAbsolute, sep} from 'node:path';
import {bundledRunbooksDir} from '../runbook/discover.js';

/** File name (`firewall.md`) → SHA-256 of its bytes. */
export type BundledManifest = Readonly<Record<string, string>>;

declare const __BUNDLED_RUNBOOKS__: BundledManifest | undefined;

/**
 * Without the build's manifest (running from the sources, as the tests do),
 * the manifest is computed from the files themselves: a checkout trusts its
 * own runbooks/ directory.
 */
const fromFiles = (dir: string): BundledManifest => {
	const manifest: Record<string, string> = {};
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return manifest;
	}
	for (const name of names) {
		if (!name.endsWith('.md')) continue;
		try {
			manifest[name] = createHash('sha256')
				.update(readFileSync(join(dir, name)))
				.digest('hex');
		} catch {
			// Unreadable: simply not bundled.
		}
	}
	return manifest;
};

let cached: BundledManifest | undefined;

export const bundledManifest = (): BundledManifest =>
	(cached ??= typeof __BUNDLED_RUNBOOKS__ === 'object' && __BUNDLED_RUNBOOKS__ !== null ? __BUNDLED_RUNBOOKS__ : fromFiles(bundledRunbooksDir()));

/** True when the build put a manifest into this copy of Rampart. */
export const manifestFromBuild = (): boolean => typeof __BUNDLED_RUNBOOKS__ === 'object' && __BUNDLED_RUNBOOKS__ !== null;

const real = (path: string): string => {
	try {
		return realpathSync(path);
	} catch {
		return path;
	}
};

/** True when `path` is a file shipped with Rampart and `sha256` is its shipped content. */
export const isBundled = (path: string, sha256: string, manifest: BundledManifest = bundledManifest()): boolean => {
	const inside = relative(real(bundledRunbooksDir()), real(path));
	// Directly in runbooks/, not somewhere below it or outside it.
	if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.includes(sep)) return false;
	return Object.hasOwn(manifest, inside) && manifest[inside] === sha256;
};
