// Signing in the TUI: the same signer as the command line, hooked on each
// session the TUI begins; what it says waits until the screen is given back.

import type {RunSession} from '../engine/run-session.js';
import {sessionSigner, signingSetting} from '../trust/signing-config.js';
import type {TuiContext} from './services.js';

export const tuiSigning = async (ctx: TuiContext): Promise<{prepare?: (session: RunSession) => void; said: string[]}> => {
	const said: string[] = [];
	let key: string | undefined;
	try {
		key = await signingSetting(ctx.env, 'key', ctx.signKey);
	} catch (error) {
		said.push(`rampart: warning: runs are not signed: ${error instanceof Error ? error.message : String(error)}`);
	}
	if (!key) return {said};
	const sign = sessionSigner(ctx.stateDir(), key, ctx.env, line => said.push(line));
	return {said, prepare: session => (session.afterClose = sign)};
};
