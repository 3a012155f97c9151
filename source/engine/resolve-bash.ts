// Where `bash` is, looked up once per PATH instead of by every spawn: a
// spawn given a bare name tries each PATH directory in turn (eight failed
// execve calls per block on a typical root PATH).

import {accessSync, constants, statSync} from 'node:fs';
import {isAbsolute, join} from 'node:path';

const found = new Map<string, string>();

/**
 * The first executable `bash` on PATH, as an absolute path. Relative PATH
 * entries are skipped: which bash runs must not depend on the directory a
 * block happens to start in. Undefined when there is none.
 */
export const resolveBash = (path: string | undefined): string | undefined => {
	const key = path ?? '';
	const cached = found.get(key);
	if (cached && isExecutableFile(cached)) return cached;
	for (const dir of key.split(':')) {
		if (!isAbsolute(dir)) continue;
		const candidate = join(dir, 'bash');
		if (isExecutableFile(candidate)) {
			found.set(key, candidate);
			return candidate;
		}
	}
	found.delete(key);
	return undefined;
};

const isExecutableFile = (file: string): boolean => {
	try {
		accessSync(file, constants.X_OK);
		return statSync(file).isFile();
	} catch {
		return false;
	}
};
