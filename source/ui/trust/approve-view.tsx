// A runbook that is not shipped with Rampart runs only once the operator has
// read and approved its exact content (or, when it changed, the diff). The
// rule is source/trust's; this screen shows the text and records the answer.

import {Box, Text} from 'ink';
import {useState} from 'react';
import {useKeypress} from '../use-keypress.js';
import {KeyHints} from '../components/key-hints.js';
import {useTheme} from '../theme.js';

export interface ApproveViewProps {
	summary: string;
	review: string;
	columns: number;
	rows: number;
	onApprove: () => void;
	onBack: () => void;
}

export const ApproveView = ({summary, review, columns, rows, onApprove, onBack}: ApproveViewProps) => {
	const theme = useTheme();
	const lines = review.replace(/\n$/, '').split('\n');
	const height = Math.max(10, rows - 1);
	const page = Math.max(1, height - 5);
	const [offset, setOffset] = useState(0);
	const max = Math.max(0, lines.length - page);
	const seenAll = offset >= max;
	useKeypress(({name}) => {
		const by = {up: -1, k: -1, down: 1, j: 1, pgup: -page, pgdn: page, space: page, home: -lines.length, end: lines.length}[name ?? ''];
		if (by !== undefined) setOffset(o => Math.max(0, Math.min(max, o + by)));
		else if (name === 'a') onApprove();
		else if (name === 'esc' || name === 'n' || name === 'q' || name === 'ctrl+c') onBack();
	});
	return (
		<Box flexDirection="column" width={columns} height={height}>
			<Text bold color={theme.warning} wrap="wrap">
				{summary}.
			</Text>
			<Text color={theme.muted} wrap="truncate-end">
				Read it before you approve: lines {offset + 1}–{Math.min(lines.length, offset + page)} of {lines.length}
				{seenAll ? '' : ' (↓/PgDn for more)'}
			</Text>
			<Box flexDirection="column" height={page} overflow="hidden" marginTop={1}>
				{lines.slice(offset, offset + page).map((line, i) => (
					<Text key={i} wrap="truncate-end" color={line.startsWith('+') ? theme.success : line.startsWith('-') ? theme.danger : undefined}>
						{line === '' ? ' ' : line}
					</Text>
				))}
			</Box>
			<KeyHints items={[{keys: 'a', label: 'approve this content and go on'}, {keys: '↑↓/PgUp/PgDn', label: 'read'}, {keys: 'Esc', label: 'back, nothing approved'}]} />
		</Box>
	);
};
