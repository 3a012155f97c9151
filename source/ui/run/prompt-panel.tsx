// The open prompt of the run screen: the go-ahead before a step's commands,
// a confirmation word, a reason or a note, or a yes/no question.

import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import type {CodeBlock, Step} from '../../runbook/model.js';
import type {StepState} from '../../engine/state.js';
import type {Confirmation} from '../../engine/run-session.js';
import {blockLabel, describeInterrupted} from '../../engine/step-rules.js';
import {TextField} from '../components/text-field.js';
import {useTheme} from '../theme.js';
import type {RunUiState} from './use-run-state.js';

export interface PromptPanelProps {
	ui: RunUiState;
	step: Step;
	stepState: StepState;
	busy: boolean;
	height: number;
}

export const PromptPanel = (props: PromptPanelProps) => {
	const {ui, step, height} = props;
	const theme = useTheme();
	const mode = ui.mode;
	let body: ReactNode = null;
	if (mode.kind === 'confirm') {
		const toRun = step.blocks.filter(b => b.runnable && (b.role === 'run' || b.role === 'verify'));
		if (mode.index < 0) {
			body = (
				<>
					<Text bold color={theme.warning}>
						Run this step now? It runs {toRun.length} block{toRun.length === 1 ? '' : 's'} on this machine:
					</Text>
					<BlockLines step={step} blocks={toRun} max={Math.max(1, height - 3)} />
				</>
			);
		} else {
			body = <ConfirmWord step={step} words={mode.words} index={mode.index} typed={mode.typed} />;
		}
	} else if (mode.kind === 'text') {
		body = (
			<>
				<Text bold color={theme.accent} wrap="wrap">
					{mode.purpose === 'skip' ? `Why skip “${step.title}”? The reason is recorded.` : `Note for “${step.title}” (recorded):`}
				</Text>
				<TextField value={mode.value} placeholder={mode.purpose === 'skip' ? 'e.g. done by hand last week' : ''} />
			</>
		);
	} else if (mode.kind === 'ask') {
		const question = {
			quit: props.busy
				? 'A command is running. Stop it and leave? The run stays resumable.'
				: 'Leave this run? It stays resumable: rampart resume, or open it again from the list.',
			'rollback-step': `Roll back “${step.title}”? Its rollback blocks run now.`,
			'rollback-run': 'Roll back the whole run? Every step that changed something and has a rollback is undone, latest first, and the run ends.',
			'finish-stopped': 'Some steps are still open. Finish the run now as stopped? (It cannot be resumed after this.)',
			'rerun-interrupted': `${describeInterrupted(step, props.stepState)} Run it again now?`,
		}[mode.question];
		body = (
			<>
				<Text bold color={theme.warning} wrap="wrap">
					{question}
				</Text>
			</>
		);
	}
	return <PromptBox height={height}>{body}</PromptBox>;
};

/** The blocks a step is about to run, one line each, as the operator is asked before they run. */
export const BlockLines = ({step, blocks, max}: {step: Step; blocks: readonly CodeBlock[]; max: number}) => (
	<>
		{blocks.slice(0, max).map(b => (
			<Text key={b.index} wrap="truncate-end">
				{'  '}
				{b.role === 'verify' ? 'verify: ' : '$ '}
				{blockLabel(step, b.index)}
			</Text>
		))}
	</>
);

/** A prompt's frame: a rule above it, in the warning tone. */
export const PromptBox = ({height, children}: {height: number; children: ReactNode}) => {
	const theme = useTheme();
	return (
		<Box
			flexDirection="column"
			height={height}
			overflow="hidden"
			borderStyle="single"
			borderLeft={false}
			borderRight={false}
			borderBottom={false}
			borderColor={theme.warning}
		>
			{children}
		</Box>
	);
};

/** The confirmation word being asked for, and the field it is typed into. `also`: after the count, e.g. who it is for. */
export const ConfirmWord = ({step, words, index, typed, also = ''}: {step: Step; words: readonly Confirmation[]; index: number; typed: string; also?: string}) => {
	const theme = useTheme();
	const word = words[index]!;
	return (
		<>
			<Text bold color={theme.warning} wrap="wrap">
				“{blockLabel(step, word.block)}” asks for confirmation ({index + 1} of {words.length}){also}.
			</Text>
			<Text wrap="wrap">
				Type <Text bold>{word.word}</Text>
				{word.input ? ` (the value of ${word.input})` : ''}:
			</Text>
			<TextField value={typed} />
		</>
	);
};
