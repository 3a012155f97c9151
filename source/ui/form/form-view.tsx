// The input form and the review of the values before anything runs.

import {Box, Text} from 'ink';
import type {Runbook} from '../../runbook/model.js';
import {isSecret} from '../../runbook/inputs.js';
import {KeyHints} from '../components/key-hints.js';
import {HelpView} from '../components/help-view.js';
import {TextField} from '../components/text-field.js';
import {helpLines, hintItems} from '../commands.js';
import {useTheme} from '../theme.js';
import {FORM_COMMANDS, REVIEW_COMMANDS} from './form-commands.js';
import {choicesOf, type FormState} from './use-form-state.js';

export interface FormViewProps {
	runbook: Runbook;
	state: FormState;
	/** Values not asked again (a resumed run's recorded inputs). */
	fixed?: Record<string, string>;
	columns: number;
	rows: number;
	resuming?: boolean;
	problem?: string;
}

const typeHint = (spec: FormState['fields'][number]): string => {
	const choices = choicesOf(spec);
	const parts: string[] = [spec.type];
	if (choices) parts.push(`one of: ${choices.join(', ')} (←/→)`);
	if (spec.min !== undefined || spec.max !== undefined) parts.push(`from ${spec.min ?? '…'} to ${spec.max ?? '…'}`);
	if (spec.optional) parts.push('optional');
	if (spec.pattern) parts.push(`must match /${spec.pattern}/`);
	return parts.join(' · ');
};

export const FormView = ({runbook, state, fixed = {}, columns, rows, resuming, problem}: FormViewProps) => {
	const theme = useTheme();
	const height = Math.max(10, rows - 1);
	const heading = (
		<Text bold wrap="truncate-end">
			<Text color={theme.accent}>rampart</Text> {runbook.meta.title} · {state.phase === 'review' ? 'review' : resuming ? 'secrets for the resumed run' : 'inputs'}
		</Text>
	);
	if (state.phase === 'help') {
		return (
			<Box flexDirection="column" width={columns} height={height}>
				{heading}
				<HelpView title="inputs" lines={helpLines(FORM_COMMANDS)} />
			</Box>
		);
	}
	if (state.phase === 'review') {
		const all = runbook.meta.inputs;
		const width = Math.max(4, ...all.map(i => i.name.length));
		return (
			<Box flexDirection="column" width={columns} height={height}>
				{heading}
				<Text> </Text>
				<Text>{all.length === 0 ? 'This runbook takes no inputs.' : 'Every value, as the commands will get it. Nothing has run yet.'}</Text>
				<Box flexDirection="column" marginTop={1} flexGrow={1} overflow="hidden">
					{all.map(spec => {
						const value = spec.name in state.values ? state.values[spec.name] : fixed[spec.name];
						const shown = isSecret(spec) ? (value ? '********' : '(empty)') : value === '' || value === undefined ? '(empty)' : value;
						return (
							<Text key={spec.name} wrap="truncate-end">
								<Text bold>{spec.name.padEnd(width)}</Text> {shown}
								<Text color={theme.muted}> {spec.prompt}</Text>
							</Text>
						);
					})}
					{problem ? (
						<Text color={theme.danger} wrap="wrap">
							{problem}
						</Text>
					) : null}
				</Box>
				<KeyHints items={hintItems(REVIEW_COMMANDS)} />
			</Box>
		);
	}
	const spec = state.fields[state.focus]!;
	const error = state.errors[spec.name];
	return (
		<Box flexDirection="column" width={columns} height={height}>
			{heading}
			<Text color={theme.muted}>
				Field {state.focus + 1} of {state.fields.length}. Each value is checked before anything runs.
			</Text>
			<Box flexDirection="column" marginTop={1} flexGrow={1} overflow="hidden">
				{state.fields.map((field, i) => {
					const focused = i === state.focus;
					const value = state.values[field.name] ?? '';
					const fieldError = state.errors[field.name];
					if (!focused) {
						return (
							<Text key={field.name} wrap="truncate-end" color={theme.muted}>
								{fieldError ? <Text color={theme.danger}>✗ </Text> : '  '}
								{field.prompt}: <Text>{isSecret(field) ? '*'.repeat(value.length) : value}</Text>
							</Text>
						);
					}
					return (
						<Box key={field.name} flexDirection="column" marginY={1}>
							<Text bold wrap="wrap">
								{field.prompt} <Text color={theme.muted}>({field.name})</Text>
							</Text>
							{field.description ? (
								<Text color={theme.muted} wrap="wrap">
									{field.description}
								</Text>
							) : null}
							<TextField value={value} masked={isSecret(field)} invalid={Boolean(error)} />
							<Text color={theme.muted} wrap="truncate-end">
								{typeHint(field)}
							</Text>
							{error ? (
								<Text color={theme.danger} wrap="wrap">
									✗ {field.name} {error}
								</Text>
							) : null}
						</Box>
					);
				})}
			</Box>
			<KeyHints items={[...hintItems(FORM_COMMANDS), {keys: '↑↓', label: 'fields'}]} />
		</Box>
	);
};
