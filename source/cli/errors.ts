import {EXIT} from './exit-codes.js';

/**
 * An error meant for the operator: printed as its message (and hint), never
 * as a stack trace unless --debug is given.
 */
export class CliError extends Error {
	constructor(
		message: string,
		readonly exitCode: number = EXIT.failed,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'CliError';
	}
}

export const usageError = (message: string, hint?: string) => new CliError(message, EXIT.usage, hint);
