// Replaced at build time by esbuild's `define`; read from package.json when
// running from the sources (tests).
import {readFileSync} from 'node:fs';

declare const __RAMPART_VERSION__: string | undefined;

const fromPackage = (): string => {
	try {
		const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string};
		return pkg.version;
	} catch {
		return 'unknown';
	}
};

export const RAMPART_VERSION: string = typeof __RAMPART_VERSION__ === 'string' ? __RAMPART_VERSION__ : fromPackage();
