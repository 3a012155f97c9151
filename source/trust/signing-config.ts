// Which key signs and which allowed_signers file checks: a command-line flag
// first, then `sign.key` / `sign.allowedSigners` in the settings. Nothing
// configured means no signing attempt at all (no agent is asked unasked).

import {signRun} from './signing.js';

/** `sign.key` or `sign.allowedSigners`: the flag when given, else the settings (read only then: they may be broken, and a flag still works). */
export const signingSetting = async (env: NodeJS.ProcessEnv, name: 'key' | 'allowedSigners', flag: string | undefined): Promise<string | undefined> => {
	if (flag !== undefined) return flag;
	const {loadSettings} = await import('../config/settings.js');
	return loadSettings(env).sign?.[name];
};

/**
 * What a session runs once it is closed: signs the run's record as it now
 * stands. A failure is said, never thrown: the run and its record stay as
 * they are, and the next session's signature covers them.
 */
export const sessionSigner =
	(stateDir: string, key: string, env: NodeJS.ProcessEnv, say: (line: string) => void) =>
	(runId: string): void => {
		const signed = signRun(stateDir, runId, key, env);
		if (signed.ok) say(`rampart: signed the record of run ${runId} (${signed.events} events) with ${key}`);
		else
			say(
				`rampart: warning: the record of run ${runId} was NOT signed: ${signed.why}. The record itself is kept as it is; sign it later with: rampart journal sign ${runId} --sign-key KEY`,
			);
	};
