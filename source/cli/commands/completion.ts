import type {Command} from 'commander';
import {journalIds} from '../../journal/run-order.js';
import {discoverRunbooks} from '../../runbook/discover.js';
import {usageError} from '../errors.js';
import {EXIT} from '../exit-codes.js';
import {bashScript} from '../completion/bash.js';
import {describeCommand} from '../completion/describe.js';
import {zshScript} from '../completion/zsh.js';
import type {CliContext} from '../context.js';

export const COMPLETION_FORMATS = ['bash', 'zsh', 'json'] as const;

/** `rampart completion bash|zsh|json`: the script (or the command table) for every command `program` defines. */
export const completionCommand = (ctx: CliContext, format: string, program: () => Command): number => {
	const spec = describeCommand(program());
	if (format === 'bash') ctx.write(bashScript(spec));
	else if (format === 'zsh') ctx.write(zshScript(spec));
	else if (format === 'json') ctx.out(JSON.stringify(spec, null, 2));
	else throw usageError(`unknown shell "${format}": bash, zsh or json`);
	return EXIT.ok;
};

/**
 * `rampart __complete runbooks|runs`: the words a completion script offers,
 * one a line. Nothing but the directory listings (no runbook is parsed, no
 * journal read), so a Tab stays fast; a problem prints nothing.
 */
export const completeCommand = (ctx: CliContext, what: string): number => {
	try {
		const words = what === 'runs' ? journalIds(ctx.stateDir()).sort().reverse() : what === 'runbooks' ? discoverRunbooks(ctx.env, ctx.cwd).entries.map(e => e.id) : [];
		if (words.length) ctx.out([...new Set(words)].join('\n'));
	} catch {
		// A state directory that is not there or not trusted: nothing to offer.
	}
	return EXIT.ok;
};
