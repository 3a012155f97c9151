// Code blocks, labelled with what they do (runs, check, verify, rollback;
// shown, not run), and GFM tables fitted to the width.

import {Box, Text} from 'ink';
import {Fragment, type ReactNode} from 'react';
import {toString} from 'mdast-util-to-string';
import type {Table} from 'mdast';
import type {Walk} from './walk.js';

const ROLE_TEXT: Record<string, string> = {
	run: 'runs',
	check: 'check (already done?)',
	verify: 'verify (did it work?)',
	rollback: 'rollback (undo)',
};

export const renderCode = (lang: string, value: string, walk: Walk): ReactNode => {
	const {theme} = walk;
	const block = walk.blocks[walk.counters.code++];
	let label: string;
	if (block?.runnable) {
		const flags = [
			block.confirm ? 'asks to confirm' : '',
			block.interactive ? 'uses the terminal' : '',
			block.timeoutMs ? `timeout ${Math.round(block.timeoutMs / 1000)}s` : '',
		]
			.filter(Boolean)
			.join(', ');
		label = `$ ${block.name ? `${block.name} — ` : ''}${ROLE_TEXT[block.role] ?? block.role}${flags ? ` (${flags})` : ''}`;
	} else {
		label = `${lang || 'text'} (shown, not run)`;
	}
	const lines = value.split('\n');
	return (
		<Box flexDirection="column">
			<Text color={block?.runnable ? theme.accent : theme.muted} bold={block?.runnable}>
				{label}
			</Text>
			{lines.map((line, i) => (
				<Text key={i} wrap="truncate-end">
					<Text color={theme.muted}>│ </Text>
					<Text color={theme.code}>{line}</Text>
				</Text>
			))}
		</Box>
	);
};

export const renderTable = (node: Table, walk: Walk): ReactNode => {
	const {theme} = walk;
	const rows = node.children.map(row => row.children.map(cell => toString(cell)));
	const columns = Math.max(...rows.map(r => r.length));
	const widths = Array.from({length: columns}, (_, c) => Math.max(1, ...rows.map(r => (r[c] ?? '').length)));
	// Narrow terminals: share what is left between the widest columns.
	const room = Math.max(columns * 4, walk.width - (columns - 1) * 3);
	while (widths.reduce((a, b) => a + b, 0) > room) {
		const widest = widths.indexOf(Math.max(...widths));
		widths[widest] = widths[widest]! - 1;
	}
	const align = node.align ?? [];
	const cell = (text: string, c: number) => {
		const w = widths[c]!;
		const cut = text.length > w ? `${text.slice(0, w - 1)}…` : text;
		return align[c] === 'right' ? cut.padStart(w) : cut.padEnd(w);
	};
	return (
		<Box flexDirection="column">
			{rows.map((row, r) => (
				<Fragment key={r}>
					<Text bold={r === 0} wrap="truncate-end">
						{Array.from({length: columns}, (_, c) => cell(row[c] ?? '', c)).join(' │ ')}
					</Text>
					{r === 0 ? <Text color={theme.muted}>{widths.map(w => '─'.repeat(w)).join('─┼─')}</Text> : null}
				</Fragment>
			))}
		</Box>
	);
};
