// A step's logs (one per attempt) as one document, opened the way every
// record in the state directory is: never through a link.

import path from 'node:path';
import {openRecordForReading} from '../../journal/state-dir.js';
import {LogDocument} from '../../output/log-document.js';
import type {LogRef} from '../../types/events.js';

export const openStepLog = (stateDir: string, logs: readonly LogRef[]): LogDocument =>
	LogDocument.open(
		logs.map(ref => ({file: path.join(stateDir, ref.path), label: ref.path})),
		{open: openRecordForReading},
	);
