// The per-step log limit: a command that prints without end fills the log up
// to this size, then the log says it was truncated and later output is
// dropped (the run goes on). `--max-log-bytes` wins over RAMPART_MAX_LOG_BYTES.

import {DEFAULT_MAX_LOG_BYTES} from '../journal/index.js';
import {usageError} from './errors.js';

const UNITS: Record<string, number> = {'': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3};

/** `1048576`, `512k`, `64M`, `1G` (binary units) → bytes. */
export const parseByteSize = (text: string): number | undefined => {
	const match = /^\s*(\d+)\s*([kmg]?)(?:i?b)?\s*$/i.exec(text);
	if (!match) return undefined;
	const bytes = Number(match[1]) * UNITS[match[2]!.toLowerCase()]!;
	return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
};

export const maxLogBytes = (option: string | undefined, env: NodeJS.ProcessEnv): number => {
	const [source, text] = option !== undefined ? ['--max-log-bytes', option] : ['RAMPART_MAX_LOG_BYTES', env.RAMPART_MAX_LOG_BYTES];
	if (text === undefined || text.trim() === '') return DEFAULT_MAX_LOG_BYTES;
	const bytes = parseByteSize(text);
	if (bytes === undefined) throw usageError(`${source} ${JSON.stringify(text)}: give a size in bytes, or with K, M or G (e.g. 64M)`);
	return bytes;
};
