// Shared test scaffolding: temporary state directories, sample events, and a
// bundled copy of a child-process script (Node 20 cannot run .ts directly).

import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {buildSync} from 'esbuild';
import {afterAll, afterEach} from 'vitest';
import type {RunEvent} from '../../source/types/events.js';

const made: string[] = [];

afterEach(() => {
	for (const dir of made.splice(0)) {
		fs.rmSync(dir, {recursive: true, force: true});
	}
});

/** A fresh directory under the OS temp dir, removed after the test. */
export function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-journal-'));
	made.push(dir);
	return dir;
}

/** A state directory that does not exist yet, inside a fresh temp dir. */
export function tempStateDir(): string {
	return path.join(tempDir(), 'state');
}

export function note(runId: string, text: string): RunEvent {
	return {type: 'note-added', runId, time: new Date().toISOString(), text};
}

export function stepStarted(runId: string, step: string): RunEvent {
	return {type: 'step-started', runId, time: new Date().toISOString(), step, attempt: 1};
}

export function modeOf(file: string): number {
	return fs.statSync(file).mode & 0o777;
}

export function fileLines(file: string): string[] {
	return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

export function writeLines(file: string, lines: string[]): void {
	fs.writeFileSync(file, lines.map(line => line + '\n').join(''));
}

let bundled: string | undefined;

/** The child script bundled to plain ESM once per test file. */
export function childScript(): string {
	if (!bundled) {
		const out = path.join(tempDirKept(), 'child.mjs');
		buildSync({
			entryPoints: [fileURLToPath(new URL('child.ts', import.meta.url))],
			bundle: true,
			platform: 'node',
			format: 'esm',
			target: 'node20',
			outfile: out,
			logLevel: 'error',
		});
		bundled = out;
	}

	return bundled;
}

let bundleDir: string | undefined;

function tempDirKept(): string {
	bundleDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-journal-child-'));
	return bundleDir;
}

afterAll(() => {
	if (bundleDir) {
		fs.rmSync(bundleDir, {recursive: true, force: true});
	}
});

export interface ChildRun {
	stdout: string;
	code: number | null;
	signal: NodeJS.Signals | null;
}

/** Spawn a process and wait for it to exit, collecting its stdout. */
export async function runChild(args: string[], options: {killAfterMs?: number; killAfterOutputMs?: number; input?: string} = {}): Promise<ChildRun> {
	const child = spawn(process.execPath, args, {stdio: ['pipe', 'pipe', 'inherit']});
	let stdout = '';
	child.stdout.setEncoding('utf8');
	let killing = false;
	child.stdout.on('data', (chunk: string) => {
		stdout += chunk;
		// Timed from the child's first word, not its spawn: on a busy machine Node alone can take longer to start.
		if (options.killAfterOutputMs !== undefined && !killing) {
			killing = true;
			setTimeout(() => child.kill('SIGKILL'), options.killAfterOutputMs);
		}
	});
	if (options.input !== undefined) {
		child.stdin.end(options.input);
	}

	if (options.killAfterMs !== undefined) {
		setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
	}

	return new Promise((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code, signal) => {
			resolve({stdout, code, signal});
		});
	});
}

/** The pid of a process that has already exited. */
export async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
	const pid = child.pid;
	await new Promise(resolve => child.on('exit', resolve));
	if (pid === undefined) {
		throw new Error('child process got no pid');
	}

	return pid;
}
