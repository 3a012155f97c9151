// A runbook that is not shipped with Rampart runs only once the operator has
// read and approved its exact content (or, when it changed, the diff). The
// rule is source/trust's; this screen shows the text and records the answer.
// Its keys are APPROVE_COMMANDS (approve-commands.ts); use-approve.ts reads them.

import {Box, Text} from 'ink';
import {KeyHints} from '../components/key-hints.js';
import {HelpView} from '../components/help-view.js';
import {helpLines, hintItems} from '../commands.js';
import {keyLabel} from '../keys.js';
import {useTheme} from '../theme.js';
import {APPROVE_COMMANDS, approveCommands} from './approve-commands.js';
import {seenEnd, useApprove} from './use-approve.js';

export interface ApproveViewProps {
	summary: string;
	review: string;
	columns: number;
	rows: number;
	onApprove: () => void;
	onBack: () => void;
}

const firstKey = (id: string): string => keyLabel(APPROVE_COMMANDS.find(c => c.id === id)!.keys[0]!);

/** `↓/PgDn`: how to read on, from the table. */
const MORE = `${firstKey('down')}/${firstKey('page-down')}`;

export const ApproveView = ({summary, review, columns, rows, onApprove, onBack}: ApproveViewProps) => {
	const theme = useTheme();
	const lines = review.replace(/\n$/, '').split('\n');
	const height = Math.max(10, rows - 1);
	const page = Math.max(1, height - 5);
	const max = Math.max(0, lines.length - page);
	const state = useApprove(page, max, onApprove, onBack);
	const {offset} = state;
	const seen = seenEnd(state, max);
	return (
		<Box flexDirection="column" width={columns} height={height}>
			<Text bold color={theme.warning} wrap="wrap">
				{summary}.
			</Text>
			<Text color={state.early && !seen ? theme.warning : theme.muted} wrap="truncate-end">
				{seen ? 'Read it before you approve' : 'Read it to the end to approve it'}: lines {offset + 1}–{Math.min(lines.length, offset + page)} of {lines.length}
				{offset >= max ? '' : ` (${MORE} for more)`}
			</Text>
			{state.help ? (
				<HelpView title="approve" lines={helpLines(APPROVE_COMMANDS)} height={page + 1} width={columns} />
			) : (
				<Box flexDirection="column" height={page} overflow="hidden" marginTop={1}>
					{lines.slice(offset, offset + page).map((line, i) => (
						<Text key={i} wrap="truncate-end" color={line.startsWith('+') ? theme.success : line.startsWith('-') ? theme.danger : undefined}>
							{line === '' ? ' ' : line}
						</Text>
					))}
				</Box>
			)}
			<KeyHints items={hintItems(APPROVE_COMMANDS, approveCommands(seen))} />
		</Box>
	);
};
