// A scheduled audit: `rampart run ID --check` as a child of this process,
// then, when it did not pass, a notice with how it ended, the run's record
// and the last lines it printed.

import {spawn} from 'node:child_process';
import {EXIT} from '../types/exit-codes.js';

export interface AuditResult {
	code: number;
	/** The last lines the run printed (stdout and stderr as they came). */
	tail: string;
}

const TAIL_LINES = 20;

export const OUTCOME_WORDS: Record<number, string> = {
	[EXIT.failed]: 'failed or needs attention',
	[EXIT.usage]: 'could not start (invalid runbook or not approved)',
	[EXIT.requirements]: 'requirements not met',
	[EXIT.interrupted]: 'interrupted',
};

export const runAudit = (command: readonly string[], runbookId: string, env: NodeJS.ProcessEnv): Promise<AuditResult> =>
	new Promise((resolve, reject) => {
		const child = spawn(command[0]!, [...command.slice(1), 'run', runbookId, '--check'], {env, stdio: ['ignore', 'pipe', 'pipe']});
		let output = '';
		const keep = (chunk: string) => {
			output = (output + chunk).slice(-64 * 1024);
		};
		child.stdout.setEncoding('utf8').on('data', keep);
		child.stderr.setEncoding('utf8').on('data', keep);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			const lines = output.trimEnd().split('\n');
			resolve({code: code ?? (signal === 'SIGINT' ? EXIT.interrupted : EXIT.failed), tail: lines.slice(-TAIL_LINES).join('\n')});
		});
	});
