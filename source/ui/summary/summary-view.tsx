// The end of a run: what happened to each step, and where the record is.

import {Box, Text} from 'ink';
import type {RunState} from '../../engine/state.js';
import {KeyHints} from '../components/key-hints.js';
import {hintItems} from '../commands.js';
import {useTheme} from '../theme.js';
import {STATUS, stepDuration, toneColour} from '../run/status-marks.js';
import {formatDuration} from '../../runbook/duration.js';
import {SUMMARY_COMMANDS, summaryCommands} from './summary-commands.js';
import {useSummary} from './use-summary.js';

export interface SummaryProps {
	state: RunState;
	journal: string;
	nextDue?: string;
	columns: number;
	rows: number;
	onClose: () => void;
	onHome?: () => void;
}

const OUTCOME: Record<string, string> = {
	completed: 'Completed',
	'needs-attention': 'Completed, with findings that need attention',
	failed: 'Failed',
	stopped: 'Stopped',
	'rolled-back': 'Rolled back',
};

export const SummaryView = ({state, journal, nextDue, columns, rows, onClose, onHome}: SummaryProps) => {
	const theme = useTheme();
	useSummary(onClose, onHome);
	const total = stepDuration(state.startedAt, state.finishedAt ?? state.updatedAt);
	const tone = state.outcome === 'completed' ? theme.success : state.outcome === 'rolled-back' || state.outcome === 'needs-attention' ? theme.warning : theme.danger;
	return (
		<Box flexDirection="column" width={columns} height={Math.max(10, rows - 1)}>
			<Text bold wrap="truncate-end">
				<Text color={theme.accent}>rampart</Text> {state.runbook.title} · summary
			</Text>
			<Text bold color={tone}>
				{OUTCOME[state.outcome ?? ''] ?? 'Unfinished'}
				{total !== undefined ? ` in ${formatDuration(total)}` : ''}
				{state.finishReason ? ` — ${state.finishReason}` : ''}
			</Text>
			<Box flexDirection="column" marginTop={1} flexGrow={1} overflow="hidden">
				{state.steps.map((s, i) => {
					const look = STATUS[s.status];
					const took = stepDuration(s.startedAt, s.endedAt);
					const extra = [
						s.status === 'skipped' && s.skipReason ? `reason: ${s.skipReason}` : '',
						s.status === 'failed' ? (s.error ?? (s.exitCode !== undefined && s.exitCode !== null ? `exit ${s.exitCode}` : '')) : '',
						s.rollback ? (s.rollback.ok ? 'rolled back' : 'rollback FAILED') : '',
						s.ticks.length > 0 ? `${s.ticks.length} item${s.ticks.length === 1 ? '' : 's'} ticked` : '',
						took !== undefined && s.status !== 'skipped' ? formatDuration(took) : '',
					].filter(Boolean);
					return (
						<Box key={s.id} flexDirection="column">
							<Text wrap="truncate-end">
								<Text color={toneColour(theme, look.tone)}>
									{look.mark} {look.word.padEnd(12)}
								</Text>{' '}
								{i + 1}. {s.title}
								<Text color={theme.muted}>{extra.length ? `  ${extra.join(' · ')}` : ''}</Text>
							</Text>
							{(s.status === 'attention' ? (s.findings ?? []) : []).map((f, j) => (
								<Text key={`f${j}`} color={theme.warning} wrap="truncate-end">
									{'      '}finding: {f}
								</Text>
							))}
							{s.notes.map((n, j) => (
								<Text key={j} color={theme.info} wrap="truncate-end">
									{'      '}note: {n.text}
								</Text>
							))}
						</Box>
					);
				})}
				{state.notes.map((n, j) => (
					<Text key={j} color={theme.info} wrap="truncate-end">
						note: {n.text}
					</Text>
				))}
			</Box>
			<Text wrap="wrap">
				<Text color={theme.muted}>Record: </Text>
				{journal}
			</Text>
			<Text wrap="wrap">
				<Text color={theme.muted}>Next due: </Text>
				{nextDue ? new Date(nextDue).toISOString().slice(0, 10) : state.runbook.every ? `one ${state.runbook.every} after the next completed run` : 'not periodic'}
			</Text>
			<KeyHints items={hintItems(SUMMARY_COMMANDS, summaryCommands(onHome !== undefined))} />
		</Box>
	);
};
