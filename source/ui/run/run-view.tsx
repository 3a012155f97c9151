// The run screen as drawn: step list, the selected step (its text, the
// commands and the values they get), live output or the open prompt, the
// last message and the key hints (of the open mode's command table). Pure:
// everything comes in as props. The parts: step-list, output-pane, prompt-panel.

import {Box, Text} from 'ink';
import type {Runbook, Step} from '../../runbook/model.js';
import {SETTLED, type RunState, type StepState} from '../../engine/state.js';
import type {Confirmation} from '../../engine/run-session.js';
import {Markdown} from '../markdown/markdown.js';
import {Legend, StepList} from './step-list.js';
import {OutputPane} from './output-pane.js';
import {LogView} from './log-view.js';
import {runLayout} from './run-layout.js';
import {PromptPanel} from './prompt-panel.js';
import {KeyHints} from '../components/key-hints.js';
import {HelpView} from '../components/help-view.js';
import {useTheme} from '../theme.js';
import type {TailLine} from './output-tail.js';
import type {Message, RunUiState} from './use-run-state.js';
import {STATUS, stepDuration, toneColour} from './status-marks.js';
import {formatDuration} from '../../runbook/duration.js';

export interface RunViewProps {
	runbook: Runbook;
	state: RunState;
	ui: RunUiState;
	busy: boolean;
	/** Milliseconds the current command has been running. */
	elapsedMs?: number;
	tail: readonly TailLine[];
	hints: ReadonlyArray<{keys: string; label: string}>;
	help: ReadonlyArray<{keys: string; help: string}>;
	/** Blocks the confirm prompt is about. */
	confirmations: readonly Confirmation[];
	columns: number;
	rows: number;
}

export const RunView = (props: RunViewProps) => {
	const {runbook, state, ui, columns, rows} = props;
	const theme = useTheme();
	const {height, body, listWidth, detailWidth} = runLayout(columns, rows);
	const step = runbook.steps[ui.selected];
	const stepState = state.steps[ui.selected];
	const settled = state.steps.filter(s => SETTLED.has(s.status)).length;
	return (
		<Box flexDirection="column" width={columns} height={height}>
			<Box justifyContent="space-between" height={1}>
				<Text bold wrap="truncate-end">
					<Text color={theme.accent}>rampart</Text> {runbook.meta.title}
				</Text>
				<Text color={theme.muted}>
					{' '}
					{settled}/{state.steps.length} settled
				</Text>
			</Box>
			{ui.mode.kind === 'help' ? (
				<Box height={body} flexDirection="column" overflow="hidden">
					<HelpView title="run" lines={props.help} height={body - 2} width={columns} />
					<Legend />
				</Box>
			) : ui.mode.kind === 'log' && ui.mode.view.help ? (
				<Box height={body} flexDirection="column" overflow="hidden">
					<HelpView title="full log" lines={props.help} height={body} width={columns} />
				</Box>
			) : (
				<Box height={body} flexDirection="row">
					<StepList runbook={runbook} state={state} selected={ui.selected} width={listWidth} height={body} />
					<Box width={1} />
					<Box flexDirection="column" width={detailWidth} height={body}>
						{step && stepState ? <StepDetail {...props} step={step} stepState={stepState} width={detailWidth} height={body} /> : null}
					</Box>
				</Box>
			)}
			<MessageLine message={ui.message} busy={props.busy} />
			<Box height={2} overflow="hidden">
				<KeyHints items={props.hints} />
			</Box>
		</Box>
	);
};

const statusLine = (stepState: StepState, elapsedMs: number | undefined): string => {
	const look = STATUS[stepState.status];
	const duration = stepDuration(stepState.startedAt, stepState.endedAt);
	const parts = [look.word.charAt(0).toUpperCase() + look.word.slice(1)];
	if (stepState.status === 'running' && elapsedMs !== undefined) parts.push(`for ${formatDuration(elapsedMs)}`);
	if (stepState.status === 'failed' && stepState.exitCode !== undefined && stepState.exitCode !== null) parts.push(`exit ${stepState.exitCode}`);
	if (duration !== undefined && stepState.status !== 'running' && stepState.status !== 'skipped') parts.push(`in ${formatDuration(duration)}`);
	if (stepState.skipReason) parts.push(`— ${stepState.skipReason}`);
	if (stepState.error) parts.push(`— ${stepState.error}`);
	if (stepState.checkPassed !== undefined) parts.push(stepState.checkPassed ? '· check passed' : '· check did not pass');
	if (stepState.attempts > 1) parts.push(`· attempt ${stepState.attempts}`);
	return parts.join(' ');
};

const StepDetail = (props: RunViewProps & {step: Step; stepState: StepState; width: number; height: number}) => {
	const {step, stepState, ui, width, height, state, tail, busy} = props;
	const theme = useTheme();
	const look = STATUS[stepState.status];
	const ticked = new Set(stepState.ticks.map(t => t.task));
	const cursor = step.tasks.find(t => !ticked.has(t.index))?.index;
	const mode = ui.mode;
	const showsOutput = tail.length > 0 || stepState.status === 'running' || (busy && mode.kind === 'browse');
	const panel = mode.kind === 'confirm' || mode.kind === 'text' || mode.kind === 'ask' ? 'prompt' : showsOutput ? 'output' : 'none';
	const panelHeight = panel === 'none' ? 0 : Math.min(mode.kind === 'confirm' ? 10 : 9, Math.floor(height / 2));
	const contentHeight = Math.max(1, height - 2 - panelHeight);
	const inputs = Object.entries(state.inputs)
		.map(([k, v]) => `${k}=${v}`)
		.concat(state.secrets.map(k => `${k}=********`));
	return (
		<>
			<Text bold wrap="truncate-end">
				{step.index + 1}. {step.title}
			</Text>
			<Text color={toneColour(theme, look.tone)} wrap="truncate-end">
				{look.mark} {statusLine(stepState, props.elapsedMs)}
			</Text>
			{mode.kind === 'log' ? (
				<LogView doc={mode.doc} view={mode.view} width={width} height={height - 2} />
			) : (
				<Box height={contentHeight} overflow="hidden" flexDirection="column">
					<Box flexDirection="column" marginTop={-ui.scroll} flexShrink={0}>
						<Markdown markdown={step.markdown} blocks={step.blocks} ticked={ticked} taskCursor={cursor} width={width} />
						{inputs.length > 0 && step.blocks.some(b => b.runnable) ? (
							<Box marginTop={1}>
								<Text color={theme.muted} wrap="wrap">
									Environment of the commands: {inputs.join('  ')}
								</Text>
							</Box>
						) : null}
						{stepState.notes.map((note, i) => (
							<Text key={i} color={theme.info} wrap="wrap">
								Note: {note.text}
							</Text>
						))}
					</Box>
				</Box>
			)}
			{mode.kind === 'log' ? null : panel === 'prompt' ? (
				<PromptPanel ui={ui} step={step} stepState={stepState} busy={busy} height={panelHeight} />
			) : panel === 'output' ? (
				<OutputPane tail={tail} height={panelHeight} running={stepState.status === 'running' || busy} elapsedMs={props.elapsedMs} />
			) : null}
		</>
	);
};

export const MessageLine = ({message, busy}: {message?: Message; busy: boolean}) => {
	const theme = useTheme();
	if (!message) return <Text color={theme.muted}>{busy ? 'Working…' : ' '}</Text>;
	const colour = toneColour(theme, message.tone === 'info' ? 'info' : message.tone);
	const mark = {info: 'i', success: '✓', warning: '!', danger: '✗'}[message.tone];
	return (
		<Text color={colour} wrap="truncate-end">
			{mark} {message.text}
		</Text>
	);
};
