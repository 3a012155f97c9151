// The run screen's list of steps with their status marks, and the legend of
// those marks for the `?` help.

import {Box, Text} from 'ink';
import type {Runbook} from '../../runbook/model.js';
import type {RunState} from '../../engine/state.js';
import {useTheme} from '../theme.js';
import {STATUS, toneColour} from './status-marks.js';

export const Legend = () => {
	const theme = useTheme();
	return (
		<Text color={theme.muted} wrap="wrap">
			{Object.values(STATUS)
				.map(s => `${s.mark} ${s.word}`)
				.join('  ')}
		</Text>
	);
};

export const StepList = ({runbook, state, selected, width, height}: {runbook: Runbook; state: RunState; selected: number; width: number; height: number}) => {
	const theme = useTheme();
	// Keep the selected step in view on long runbooks.
	const first = Math.max(0, Math.min(selected - Math.floor(height / 2), runbook.steps.length - height));
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			{state.steps.slice(first, first + height).map((s, i) => {
				const index = first + i;
				const look = STATUS[s.status];
				const isSelected = index === selected;
				return (
					<Box key={s.id} width={width}>
						<Text wrap="truncate-end" inverse={isSelected} bold={isSelected}>
							{isSelected ? '›' : ' '}
							<Text color={isSelected ? undefined : toneColour(theme, look.tone)}>{look.mark}</Text> {index + 1}. {s.title}
						</Text>
					</Box>
				);
			})}
		</Box>
	);
};
