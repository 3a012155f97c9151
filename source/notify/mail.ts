// Mail the way cron mails: a message on the standard input of `sendmail -t
// -oi`, which every MTA (Postfix, Exim, OpenSMTPD, msmtp, nullmailer)
// provides. Recipients come from the To: header (-t); -oi keeps a line with
// a lone dot from ending the message.

import {spawn} from 'node:child_process';
import type {Notice} from './notice.js';

/** RFC 2047 for a header with non-ASCII text (a host or runbook title in another script). */
const header = (text: string): string => (/^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`);

/** Header lines are built from settings and notices: a line break there would add headers (or recipients). */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');

export const mailMessage = (to: readonly string[], notice: Notice): string =>
	[
		`To: ${to.map(oneLine).join(', ')}`,
		`Subject: ${header(oneLine(notice.title))}`,
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=utf-8',
		'Content-Transfer-Encoding: 8bit',
		'Auto-Submitted: auto-generated',
		`X-Rampart-Notice: ${oneLine(notice.key)}`,
		'',
		notice.message,
		'',
		`-- \nRampart on ${notice.host}, ${notice.createdAt}`,
		'',
	].join('\n');

/** Hands the message to sendmail; throws when it is not on PATH, does not exit 0, or takes longer than timeoutMs. */
export const sendMail = (to: readonly string[], notice: Notice, env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<string> =>
	new Promise((resolve, reject) => {
		const child = spawn('sendmail', ['-t', '-oi'], {env, stdio: ['pipe', 'ignore', 'pipe']});
		// Our own timer, cleared on every ending: spawn's `timeout` keeps the process alive after a failed start.
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		let stderr = '';
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
		child.on('error', error => {
			clearTimeout(timer);
			reject((error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error('sendmail is not on PATH (install an MTA, e.g. postfix or msmtp-mta)') : error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) resolve(`handed to sendmail for ${to.join(', ')}`);
			else reject(new Error(`sendmail ${signal ? `was killed (${signal})` : `exited ${code}`}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
		});
		// A sendmail that exits before reading everything: its exit status says what went wrong.
		child.stdin.on('error', () => {});
		child.stdin.end(mailMessage(to, notice));
	});
