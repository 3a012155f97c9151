// What rendering a step's Markdown carries along the tree.

import type {CodeBlock} from '../../runbook/model.js';
import type {Theme} from '../theme.js';

export interface Walk {
	theme: Theme;
	blocks: readonly CodeBlock[];
	ticked: ReadonlySet<number>;
	taskCursor?: number;
	width: number;
	/** Shared by the whole walk: code blocks and task items are numbered in document order. */
	counters: {code: number; task: number};
}
