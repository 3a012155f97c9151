// Network namespaces for system tests: a server and a client joined by a veth
// pair, with private test addresses that exist only inside them. Nothing here
// touches the host's own network stack or firewall; every name starts with
// the caller's prefix so that tests running side by side do not collide.

import {spawn, spawnSync, type ChildProcess, type SpawnSyncReturns} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';

export interface Cmd {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a command to the end; throws when it fails unless `allowFail`. */
export const run = (command: string, args: readonly string[], options: {input?: string; allowFail?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv} = {}): Cmd => {
	const result: SpawnSyncReturns<string> = spawnSync(command, args, {
		encoding: 'utf8',
		input: options.input,
		timeout: options.timeoutMs ?? 30_000,
		env: options.env ?? process.env,
	});
	const out: Cmd = {code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? ''};
	if (!options.allowFail && (result.error || result.status !== 0)) {
		throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${out.stdout}${out.stderr}`);
	}
	return out;
};

/** Runs a command to the end without blocking the event loop. */
export const runAsync = (command: string, args: readonly string[], options: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<Cmd> =>
	new Promise(resolve => {
		const child = spawn(command, args, {env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
	});

export const hasCommand = (name: string): boolean => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], {stdio: 'ignore'}).status === 0;

/**
 * The argument vector that runs a command in a named network namespace.
 * nsenter enters only the network namespace; `ip netns exec` also makes a new
 * mount namespace for every command, which these tests do not need (and other
 * system tests find their own processes by mount namespace).
 */
export const inNamespace = (ns: string, command: string, args: readonly string[]): [string, string[]] => ['nsenter', [`--net=/run/netns/${ns}`, '--', command, ...args]];

export const nsRun = (ns: string, command: string, args: readonly string[], options: Parameters<typeof run>[2] = {}): Cmd =>
	run(...inNamespace(ns, command, args), options);

export const nsRunAsync = (ns: string, command: string, args: readonly string[], options: Parameters<typeof runAsync>[2] = {}): Promise<Cmd> =>
	runAsync(...inNamespace(ns, command, args), options);

export const nsExists = (ns: string): boolean =>
	run('ip', ['netns', 'list'])
		.stdout.split('\n')
		.some(line => line.split(' ')[0] === ns);

export const deleteNamespace = (ns: string): void => {
	if (nsExists(ns)) run('ip', ['netns', 'delete', ns], {allowFail: true});
};

/** The ruleset of a namespace (or of the host when `ns` is undefined). */
export const ruleset = (ns?: string): string => (ns ? nsRun(ns, 'nft', ['list', 'ruleset']) : run('nft', ['list', 'ruleset'])).stdout;

/** Loads nft commands into a namespace. */
export const nft = (ns: string, script: string): void => {
	nsRun(ns, 'nft', ['-f', '-'], {input: script});
};

export const waitFor = async (what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> => {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(100);
	}
};

export interface Lab {
	server: string;
	client: string;
	/** Server addresses. */
	server4: string;
	server6: string;
}

/**
 * Two namespaces joined by a veth pair. The server gets `server4/24` and
 * `server6/64`; the client gets every address in `clientAddresses`, from the
 * same subnets. IPv6 addresses skip duplicate address detection, so they
 * work at once.
 */
export const createLab = (options: {server: string; client: string; server4: string; server6: string; clientAddresses: readonly string[]}): Lab => {
	const {server, client} = options;
	for (const ns of [server, client]) deleteNamespace(ns);
	for (const ns of [server, client]) {
		run('ip', ['netns', 'add', ns]);
		run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
	}
	run('ip', ['-n', server, 'link', 'add', 'name', 'veth-srv', 'type', 'veth', 'peer', 'name', 'veth-cli', 'netns', client]);
	run('ip', ['-n', server, 'link', 'set', 'veth-srv', 'up']);
	run('ip', ['-n', client, 'link', 'set', 'veth-cli', 'up']);
	run('ip', ['-n', server, 'addr', 'add', `${options.server4}/24`, 'dev', 'veth-srv']);
	run('ip', ['-n', server, 'addr', 'add', `${options.server6}/64`, 'dev', 'veth-srv', 'nodad']);
	for (const address of options.clientAddresses) {
		const v6 = address.includes(':');
		run('ip', ['-n', client, 'addr', 'add', `${address}/${v6 ? 64 : 24}`, 'dev', 'veth-cli', ...(v6 ? ['nodad'] : [])]);
	}
	return {server, client, server4: options.server4, server6: options.server6};
};

/** Starts a long-running command inside a namespace; stop it with `stopProcess`. */
export const startInNamespace = (ns: string, command: string, args: readonly string[]): ChildProcess => {
	// nsenter execs the command, so the child's pid is the command's.
	const [nsenter, argv] = inNamespace(ns, command, args);
	const child = spawn(nsenter, argv, {stdio: ['ignore', 'ignore', 'pipe']});
	child.stderr?.setEncoding('utf8');
	let stderr = '';
	child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
	Object.defineProperty(child, 'recentStderr', {get: () => stderr});
	return child;
};

/** Undefined while the process runs; otherwise how it ended, with its last error output. */
export const exitOf = (child: ChildProcess | undefined): string | undefined => {
	if (!child) return 'never started';
	if (child.exitCode === null && child.signalCode === null) return undefined;
	const how = child.signalCode ? `killed by ${child.signalCode}` : `exited with ${child.exitCode}`;
	return `${child.spawnargs.join(' ').slice(0, 120)}: ${how}\n${(child as ChildProcess & {recentStderr?: string}).recentStderr ?? ''}`;
};

export const stopProcess = async (child: ChildProcess | undefined): Promise<void> => {
	if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
	child.kill('SIGTERM');
	const stopped = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
	if (!stopped) {
		child.kill('SIGKILL');
		await exited;
	}
};

/** TCP listeners on `ports`, on every IPv4 and IPv6 address of the namespace. */
export const startTcpListeners = (ns: string, ports: readonly number[]): ChildProcess =>
	startInNamespace(ns, process.execPath, [
		'-e',
		`const net = require('node:net');
// Probes reset their connections: a reset is not the listener's error.
const serve = socket => { socket.on('error', () => {}); socket.end('hello\\n'); };
for (const port of JSON.parse(process.argv[1])) net.createServer(serve).listen({port, host: '::', ipv6Only: false});`,
		JSON.stringify(ports),
	]);

/** Ports listening on TCP in a namespace. */
export const listeningTcpPorts = (ns: string): Set<number> => {
	const out = nsRun(ns, 'ss', ['-Hltn']).stdout;
	const ports = new Set<number>();
	for (const line of out.split('\n')) {
		const local = line.trim().split(/\s+/)[3];
		if (local) ports.add(Number(local.slice(local.lastIndexOf(':') + 1)));
	}
	return ports;
};

export type ProbeResult = 'open' | 'refused' | 'timeout' | string;

export interface Probe {
	from: string;
	to: string;
	port: number;
}

/**
 * TCP connections from the client namespace, all at once: `open` (connected),
 * `refused` (reset), `timeout` (dropped), or the error code.
 */
export const probeTcp = async (ns: string, probes: readonly Probe[], timeoutMs = 1500): Promise<ProbeResult[]> => {
	const script = `const net = require('node:net');
const [probes, timeoutMs] = JSON.parse(process.argv[1]);
Promise.all(probes.map(({from, to, port}) => new Promise(resolve => {
	const socket = net.connect({host: to, port, localAddress: from});
	const timer = setTimeout(() => { socket.destroy(); resolve('timeout'); }, timeoutMs);
	socket.on('connect', () => { clearTimeout(timer); socket.destroy(); resolve('open'); });
	socket.on('error', error => { clearTimeout(timer); resolve(error.code === 'ECONNREFUSED' ? 'refused' : String(error.code)); });
}))).then(results => console.log(JSON.stringify(results)));`;
	const result = await nsRunAsync(ns, process.execPath, ['-e', script, JSON.stringify([probes, timeoutMs])]);
	if (result.code !== 0) throw new Error(`probe failed: ${result.stderr}`);
	return JSON.parse(result.stdout) as ProbeResult[];
};

/** One ping from `from` to `to` inside the client namespace; true when answered. */
export const ping = async (ns: string, from: string, to: string): Promise<boolean> => {
	const result = await nsRunAsync(ns, 'ping', [to.includes(':') ? '-6' : '-4', '-n', '-c', '1', '-W', '2', '-I', from, to]);
	return result.code === 0;
};

/** The link-layer (MAC) address of an interface in a namespace. */
export const linkAddress = (ns: string, device: string): string => {
	const [link] = JSON.parse(run('ip', ['-n', ns, '-j', 'link', 'show', device]).stdout) as Array<{address: string}>;
	if (!link) throw new Error(`no link ${device} in ${ns}`);
	return link.address;
};

/** Sets sysctls inside a namespace (they are per namespace: the host's stay as they are). */
export const nsSysctl = (ns: string, settings: Record<string, string>): void => {
	nsRun(ns, 'sysctl', ['-q', '-w', ...Object.entries(settings).map(([key, value]) => `${key}=${value}`)]);
};

/** Debian's python3, for the few packets Node cannot make (raw frames). */
export const python = (): string | undefined => ['/usr/bin/python3', '/bin/python3'].find(p => spawnSync(p, ['-c', ''], {stdio: 'ignore'}).status === 0);

// One TCP SYN with a source address of our choosing, written as a whole
// Ethernet frame on an AF_PACKET socket: no routing, no source check on the
// sending side, so the receiving side sees exactly what a forger would send.
const FORGED_SYN = String.raw`import socket, struct, sys
iface, dst_mac, src, dst, port = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff
v6 = ':' in dst
family = socket.AF_INET6 if v6 else socket.AF_INET
saddr, daddr = socket.inet_pton(family, src), socket.inet_pton(family, dst)
tcp = struct.pack('!HHIIBBHHH', 40000, port, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
pseudo = saddr + daddr + (struct.pack('!I3xB', len(tcp), 6) if v6 else struct.pack('!xBH', 6, len(tcp)))
tcp = tcp[:16] + struct.pack('!H', checksum(pseudo + tcp)) + tcp[18:]
if v6:
    packet, ethertype = struct.pack('!IHBB', 6 << 28, len(tcp), 6, 64) + saddr + daddr + tcp, 0x86dd
else:
    header = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, saddr, daddr)
    packet, ethertype = header[:10] + struct.pack('!H', checksum(header)) + header[12:] + tcp, 0x0800
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind((iface, 0))
sock.send(bytes.fromhex(dst_mac.replace(':', '')) + sock.getsockname()[4] + struct.pack('!H', ethertype) + packet)
`;

/**
 * Sends one TCP SYN from the client namespace with a forged source address
 * (`from` need not be an address of the namespace: 127.0.0.1, ::1), as a raw
 * frame on `device` to the link-layer address `destMac`.
 */
export const sendForgedSyn = (ns: string, device: string, destMac: string, from: string, to: string, port: number): void => {
	const interpreter = python();
	if (!interpreter) throw new Error('python3 is needed to forge packets');
	nsRun(ns, interpreter, ['-c', FORGED_SYN, device, destMac, from, to, String(port)]);
};
