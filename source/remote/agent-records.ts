// Splits one of the agent's output streams into the block's own bytes and
// the agent's records (`RS TOKEN KIND [ARG]\n`, see bootstrap.ts). A record
// may arrive cut between two chunks, so a chunk's tail that could be the start
// of one is held back until the next chunk says what it is; no other byte is
// held.

import {RECORD} from './bootstrap.js';

/** A record cut by a chunk boundary is a few dozen bytes; anything longer was never one. */
const MAX_RECORD = 4096;

export const recordScanner = (token: string, onData: (bytes: Buffer) => void, onRecord: (kind: string, arg: string) => void) => {
	const marker = Buffer.from(`${RECORD}${token} `, 'latin1');
	let pending = Buffer.alloc(0);
	/** How many bytes at the end of `buf` (from `from`) could begin a marker. */
	const heldTail = (buf: Buffer, from: number): number => {
		for (let k = Math.min(marker.length - 1, buf.length - from); k > 0; k--) {
			if (buf.compare(marker, 0, k, buf.length - k) === 0) return k;
		}
		return 0;
	};
	return (chunk: Buffer): void => {
		const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
		pending = Buffer.alloc(0);
		let pos = 0;
		for (;;) {
			const at = buf.indexOf(marker, pos);
			if (at === -1) {
				const keep = heldTail(buf, pos);
				if (buf.length - keep > pos) onData(buf.subarray(pos, buf.length - keep));
				pending = Buffer.from(buf.subarray(buf.length - keep));
				return;
			}
			if (at > pos) onData(buf.subarray(pos, at));
			const end = buf.indexOf(0x0a, at + marker.length);
			if (end === -1) {
				if (buf.length - at <= MAX_RECORD) {
					pending = Buffer.from(buf.subarray(at));
					return;
				}
				onData(buf.subarray(at));
				return;
			}
			const [kind = '', arg = ''] = buf.toString('latin1', at + marker.length, end).split(' ');
			onRecord(kind, arg);
			pos = end + 1;
		}
	};
};
