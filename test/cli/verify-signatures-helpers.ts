// Scaffolding for the signed-record tests: a state directory and runbooks in
// a temp dir, SSH keys made by ssh-keygen, the built CLI as a real process,
// and what root could do to a journal: edit an event and recompute the chain.

import {execa, execaSync} from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach} from 'vitest';
import {CHAIN_START, sha256Hex} from '../../source/journal/chain.js';

const BIN = path.resolve('dist/rampart.js');
const made: string[] = [];

afterEach(() => {
	for (const dir of made.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

/** Two steps; the second fails while the file "broken" exists in the working directory. */
const BOOK = `---\ntitle: Signed demo\nsummary: Two steps.\n---\n\n# Signed demo\n\n## First\n\n\`\`\`sh\necho first\n\`\`\`\n\n## Second\n\n\`\`\`sh\nif [ -e broken ]; then echo broken; exit 3; fi\necho second\n\`\`\`\n`;

export interface Lab {
	work: string;
	home: string;
	rampart: (args: string[], env?: Record<string, string>) => Promise<{exitCode?: number; stdout: string; stderr: string}>;
	/** A new ed25519 key (no passphrase unless given) and its allowed_signers line. */
	key: (name: string, passphrase?: string) => {file: string; pub: string; line: string};
	/** Writes an allowed_signers file of the given lines. */
	allowedSigners: (...lines: string[]) => string;
	/** The ids of the recorded runs, oldest first. */
	runIds: () => string[];
	journal: (runId: string) => string;
}

export const makeLab = (): Lab => {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-signed-'));
	made.push(work);
	const home = path.join(work, 'home');
	fs.mkdirSync(path.join(work, 'books'));
	fs.writeFileSync(path.join(work, 'books', 'signed-demo.md'), BOOK);
	return {
		work,
		home,
		rampart: async (args, env = {}) => {
			const {exitCode, stdout, stderr} = await execa('node', [BIN, ...args], {
				reject: false,
				cwd: work,
				// No settings but the test's own: neither /etc/rampart nor the user's config.
				env: {
					RAMPART_HOME: home,
					RAMPART_RUNBOOKS: path.join(work, 'books'),
					RAMPART_SYSTEM_CONFIG: path.join(work, 'no-system-config.yaml'),
					RAMPART_CONFIG: path.join(work, 'config.yaml'),
					CI: '1',
					...env,
				},
			});
			return {exitCode, stdout: String(stdout), stderr: String(stderr)};
		},
		key: (name, passphrase = '') => {
			const file = path.join(work, name);
			execaSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
			const pub = fs.readFileSync(`${file}.pub`, 'utf8').trim();
			return {file, pub, line: `${name}@example.org ${pub.split(' ').slice(0, 2).join(' ')}`};
		},
		allowedSigners: (...lines) => {
			const file = path.join(work, `allowed_signers-${made.length}-${lines.length}`);
			fs.writeFileSync(file, `${lines.join('\n')}\n`);
			return file;
		},
		runIds: () =>
			fs
				.readdirSync(path.join(home, 'runs'))
				.filter(name => name.endsWith('.jsonl'))
				.map(name => name.slice(0, -'.jsonl'.length))
				.sort(),
		journal: runId => path.join(home, 'runs', `${runId}.jsonl`),
	};
};

/**
 * What root could do: change events, then recompute every line's `seq` and
 * `prev` so the hash chain is whole again. `rename` moves the run to another id.
 */
export const rewriteJournal = (file: string, edit: (events: Array<Record<string, unknown>>) => void, rename?: string): string => {
	const events = fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter(line => line !== '')
		.map(line => JSON.parse(line) as Record<string, unknown>);
	edit(events);
	let prev = CHAIN_START;
	const lines = events.map((event, index) => {
		const {seq: _seq, prev: _prev, ...body} = event;
		const line = JSON.stringify({seq: index + 1, prev, ...body, ...(rename ? {runId: rename} : {})});
		prev = sha256Hex(line);
		return line;
	});
	const target = rename ? path.join(path.dirname(file), `${rename}.jsonl`) : file;
	fs.writeFileSync(target, lines.map(line => `${line}\n`).join(''), {mode: 0o600});
	return target;
};
