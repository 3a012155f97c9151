// Who is running this: recorded in every run so the record says who did what.

import {hostname, userInfo} from 'node:os';
import {readlinkSync} from 'node:fs';
import type {Operator} from '../types/events.js';

const ttyName = (): string | undefined => {
	if (!process.stdin.isTTY) return undefined;
	try {
		return readlinkSync('/proc/self/fd/0');
	} catch {
		return 'tty';
	}
};

export const currentOperator = (env: NodeJS.ProcessEnv = process.env): Operator => {
	let user: string;
	try {
		user = userInfo().username;
	} catch {
		// No passwd entry (some containers): fall back to what the shell says.
		user = env.USER ?? env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`;
	}
	const sudoUser = env.SUDO_USER;
	return {
		user: sudoUser && sudoUser !== user ? `${user} (sudo by ${sudoUser})` : user,
		uid: process.getuid?.() ?? -1,
		host: hostname(),
		sshClient: env.SSH_CLIENT || undefined,
		tty: ttyName(),
	};
};
