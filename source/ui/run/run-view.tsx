// The run screen as drawn: step list, the selected step (its text, the
// commands and the values they get), live output or the open prompt, the
// last message and the key hints (of the open mode's command table). Pure: everything comes in as props.

import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import type {Runbook, Step} from '../../runbook/model.js';
import {SETTLED, type RunState, type StepState} from '../../engine/state.js';
import type {Confirmation} from '../../engine/run-session.js';
import {describeInterrupted} from '../../engine/step-rules.js';
import {Markdown} from '../markdown/markdown.js';
import {KeyHints} from '../components/key-hints.js';
import {HelpView} from '../components/help-view.js';
import {TextField} from '../components/text-field.js';
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
	const height = Math.max(10, rows - 1);
	const body = height - 5;
	const listWidth = Math.min(32, Math.max(18, Math.floor(columns * 0.3)));
	const detailWidth = Math.max(20, columns - listWidth - 3);
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

const Legend = () => {
	const theme = useTheme();
	return (
		<Text color={theme.muted} wrap="wrap">
			{Object.values(STATUS)
				.map(s => `${s.mark} ${s.word}`)
				.join('  ')}
		</Text>
	);
};

const StepList = ({runbook, state, selected, width, height}: {runbook: Runbook; state: RunState; selected: number; width: number; height: number}) => {
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
				<LogView lines={mode.lines} offset={mode.offset} height={height - 2} />
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
				<PromptPanel {...props} height={panelHeight} />
			) : panel === 'output' ? (
				<OutputPane tail={tail} height={panelHeight} running={stepState.status === 'running' || busy} elapsedMs={props.elapsedMs} />
			) : null}
		</>
	);
};

const OutputPane = ({tail, height, running, elapsedMs}: {tail: readonly TailLine[]; height: number; running: boolean; elapsedMs?: number}) => {
	const theme = useTheme();
	const lines = tail.slice(-(height - 1));
	return (
		<Box flexDirection="column" height={height} overflow="hidden">
			<Text color={theme.muted} wrap="truncate-end">
				── output{running ? ` · running ${formatDuration(elapsedMs ?? 0)} · Ctrl-C stops it` : ' (last lines; l shows the full log)'} ──
			</Text>
			{lines.map((line, i) => (
				<Text key={i} wrap="truncate-end" color={line.stream === 'stderr' ? theme.warning : line.stream === 'meta' ? theme.muted : undefined}>
					{line.stream === 'meta' ? `▸ ${line.text}` : line.text}
				</Text>
			))}
		</Box>
	);
};

const LogView = ({lines, offset, height}: {lines: readonly string[]; offset: number; height: number}) => {
	const theme = useTheme();
	const page = Math.max(1, height - 1);
	return (
		<Box flexDirection="column" height={height} overflow="hidden">
			<Text color={theme.muted} wrap="truncate-end">
				── full log · lines {lines.length === 0 ? 0 : offset + 1}–{Math.min(lines.length, offset + page)} of {lines.length} ──
			</Text>
			{lines.slice(offset, offset + page).map((line, i) => (
				<Text key={i} wrap="truncate-end" color={line.startsWith('# rampart:') ? theme.muted : undefined}>
					{line}
				</Text>
			))}
		</Box>
	);
};

const blockLabel = (step: Step, index: number): string => {
	const block = step.blocks[index];
	if (!block) return `block ${index + 1}`;
	return (
		block.name ??
		block.code
			.split('\n')
			.find(l => l.trim() !== '' && !l.trim().startsWith('#'))
			?.trim() ??
		`block ${index + 1}`
	);
};

const PromptPanel = (props: RunViewProps & {step: Step; stepState: StepState; height: number}) => {
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
					{toRun.slice(0, Math.max(1, height - 3)).map(b => (
						<Text key={b.index} wrap="truncate-end">
							{'  '}
							{b.role === 'verify' ? 'verify: ' : '$ '}
							{blockLabel(step, b.index)}
						</Text>
					))}
				</>
			);
		} else {
			const word = mode.words[mode.index]!;
			body = (
				<>
					<Text bold color={theme.warning} wrap="wrap">
						“{blockLabel(step, word.block)}” asks for confirmation ({mode.index + 1} of {mode.words.length}).
					</Text>
					<Text wrap="wrap">
						Type <Text bold>{word.word}</Text>
						{word.input ? ` (the value of ${word.input})` : ''}:
					</Text>
					<TextField value={mode.typed} />
				</>
			);
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
			{body}
		</Box>
	);
};

const MessageLine = ({message, busy}: {message?: Message; busy: boolean}) => {
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
