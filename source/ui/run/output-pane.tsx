// The live tail of the running step's output (the full log is log-view.tsx).

import {Box, Text} from 'ink';
import {formatDuration} from '../../runbook/duration.js';
import {useTheme} from '../theme.js';
import type {TailLine} from './output-tail.js';
import {key} from './run-commands.js';
import {stripStyles} from '../../output/terminal-text.js';

/** `title`: the pane's own header line (the fleet view names the host); the run screen's by default. */
export const OutputPane = ({
	tail,
	height,
	running,
	elapsedMs,
	title,
}: {
	tail: readonly TailLine[];
	height: number;
	running: boolean;
	elapsedMs?: number;
	title?: string;
}) => {
	const theme = useTheme();
	const lines = tail.slice(-(height - 1));
	return (
		<Box flexDirection="column" height={height} overflow="hidden">
			<Text color={theme.muted} wrap="truncate-end">
				{title ?? `── output${running ? ` · running ${formatDuration(elapsedMs ?? 0)} · ${key('stop')} stops it` : ` (last lines; ${key('log')} shows the full log)`} ──`}
			</Text>
			{lines.map((line, i) => (
				<Text key={i} wrap="truncate-end" color={line.stream === 'stderr' ? theme.warning : line.stream === 'meta' ? theme.muted : undefined}>
					{line.stream === 'meta' ? `▸ ${line.text}` : theme.color ? line.text : stripStyles(line.text)}
				</Text>
			))}
		</Box>
	);
};
