// What the notification tests stand up: a real HTTP server on loopback that
// records every request, a `sendmail` on PATH that records its arguments and
// its standard input, and a Rampart home whose settings name both.

import fs from 'node:fs';
import http from 'node:http';
import net, {type AddressInfo} from 'node:net';
import path from 'node:path';
import {afterEach} from 'vitest';
import {cliHome, tempDir, type CliHome} from '../engine/helpers.js';

export interface Received {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: unknown;
}

const servers: http.Server[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(s => new Promise(resolve => s.close(resolve))));
});

/** An HTTP server on 127.0.0.1; `status` decides the answer to each request (200 unless changed). */
export const webhookServer = async () => {
	const received: Received[] = [];
	const state = {status: 200};
	const server = http.createServer((request, response) => {
		let text = '';
		request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
		request.on('end', () => {
			received.push({method: request.method!, url: request.url!, headers: request.headers, body: JSON.parse(text)});
			response.writeHead(state.status).end();
		});
	});
	servers.push(server);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {received, state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`};
};

/** A loopback port nothing listens on (it was free a moment ago): connections are refused at once. */
export const closedPort = async (): Promise<number> => {
	const server = net.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise(resolve => server.close(resolve));
	return port;
};

/** A sendmail stand-in: each call appends its arguments and message to the log; exits $SENDMAIL_EXIT (0 by default). */
export const sendmailStandIn = () => {
	const dir = tempDir('rampart-sendmail-');
	const log = path.join(dir, 'mail.log');
	fs.writeFileSync(path.join(dir, 'sendmail'), `#!/bin/sh\n{ echo "ARGS: $*"; cat; echo "--END--"; } >> '${log}'\nexit "\${SENDMAIL_EXIT:-0}"\n`, {mode: 0o755});
	const messages = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('--END--\n').filter(Boolean) : []);
	return {dir, log, messages};
};

/** A Rampart home with its own settings file (the host's /etc/rampart is never read) and sendmail first on PATH. */
export const notifyHome = (settings: string, binDir?: string): CliHome & {configFile: string} => {
	const home = cliHome();
	const configFile = path.join(home.cwd, 'config.yaml');
	fs.writeFileSync(configFile, settings);
	home.env['RAMPART_CONFIG'] = configFile;
	home.env['RAMPART_SYSTEM_CONFIG'] = path.join(home.cwd, 'no-system-config.yaml');
	if (binDir) home.env['PATH'] = `${binDir}:${home.env['PATH']}`;
	return {...home, configFile};
};
