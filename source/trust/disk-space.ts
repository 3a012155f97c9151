// A command that prints without end fills the disk the records are on; a
// run whose journal cannot be written can no longer say what it did. Before
// each step the file system of the state directory is checked, and a warning
// is recorded while there is still room to record it.

import {statfsSync} from 'node:fs';

export const LOW_DISK_BYTES = 100 * 1024 * 1024;
export const LOW_DISK_FRACTION = 0.02;

export interface LowDiskSpace {
	freeBytes: number;
	totalBytes: number;
	/** The free space below which a warning is given. */
	thresholdBytes: number;
	message: string;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;

/**
 * Free space on the file system holding `dir` (for an unprivileged user, as
 * root may use the reserved blocks too), when it is below 100 MiB or 2%, or
 * below `RAMPART_LOW_DISK_BYTES` when that is set; undefined when there is
 * enough or the file system cannot be asked.
 */
export const lowDiskSpace = (dir: string, env: NodeJS.ProcessEnv = process.env): LowDiskSpace | undefined => {
	let stats;
	try {
		stats = statfsSync(dir);
	} catch {
		return undefined;
	}
	const freeBytes = stats.bavail * stats.bsize;
	const totalBytes = stats.blocks * stats.bsize;
	const override = env.RAMPART_LOW_DISK_BYTES;
	const thresholdBytes = override !== undefined && /^\d+$/.test(override.trim()) ? Number(override.trim()) : Math.max(LOW_DISK_BYTES, totalBytes * LOW_DISK_FRACTION);
	if (freeBytes >= thresholdBytes) return undefined;
	return {
		freeBytes,
		totalBytes,
		thresholdBytes,
		message: `the file system of ${dir} has only ${mib(freeBytes)} free (of ${mib(totalBytes)}): output logs and the run's record may not fit; free some space before long or verbose steps`,
	};
};
