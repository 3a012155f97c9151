// An unfinished run of the runbook being opened: resume it, or end it as
// stopped and start a new one.

import {Box, Text} from 'ink';
import type {Runbook} from '../../runbook/model.js';
import {progressOf, type RunSummary} from '../../engine/run-catalog.js';
import {Choice} from '../components/choice.js';

export interface ChooseViewProps {
	runbook: Runbook;
	run: RunSummary;
	onResume: () => void;
	onStartOver: () => void;
	onBack: () => void;
}

export const ChooseView = ({runbook, run, onResume, onStartOver, onBack}: ChooseViewProps) => {
	const {step, of} = progressOf(run.state);
	return (
		<Box flexDirection="column">
			<Text bold>{runbook.meta.title}</Text>
			<Text>
				A run of this runbook is unfinished: step {step} of {of}, started {run.state.startedAt.slice(0, 16).replace('T', ' ')} by {run.state.operator.user}.
			</Text>
			<Text> </Text>
			<Choice
				items={[
					{value: 'resume', key: 'r', label: `Resume it (run ${run.runId})`},
					{value: 'over', key: 's', label: 'Start over: end that run as stopped and start a new one'},
				]}
				onPick={value => (value === 'resume' ? onResume() : onStartOver())}
				onBack={onBack}
			/>
		</Box>
	);
};
