// The fleet view's open prompt: the go-ahead before a step's commands run on
// the chosen hosts (and each confirmation word, typed once for all of them),
// a skip reason for one host, or a yes/no question.

import {Text} from 'ink';
import type {ReactNode} from 'react';
import type {Step} from '../../runbook/model.js';
import {TextField} from '../components/text-field.js';
import {useTheme} from '../theme.js';
import {BlockLines, ConfirmWord, PromptBox} from '../run/prompt-panel.js';
import type {FleetMode} from './use-fleet-state.js';

const hostList = (hosts: readonly string[]) => `${hosts.length} host${hosts.length === 1 ? '' : 's'} (${hosts.join(', ')})`;

export const FleetPrompt = ({mode, step, height}: {mode: FleetMode; step: Step; height: number}) => {
	const theme = useTheme();
	let body: ReactNode = null;
	if (mode.kind === 'confirm' && mode.index < 0) {
		const toRun = step.blocks.filter(b => b.runnable && (b.role === 'run' || b.role === 'verify'));
		const check = step.blocks.some(b => b.runnable && b.role === 'check') ? 'Its check runs first; then ' : 'It runs ';
		body = (
			<>
				<Text bold color={theme.warning} wrap="wrap">
					Run “{step.title}” on {hostList(mode.hosts)}? {check}
					{toRun.length} block{toRun.length === 1 ? '' : 's'} on each:
				</Text>
				{mode.rerun.length > 0 ? (
					<Text color={theme.warning} wrap="wrap">
						It was cut off on {mode.rerun.join(', ')} the last time: it runs again there.
					</Text>
				) : null}
				<BlockLines step={step} blocks={toRun} max={Math.max(1, height - 4)} />
			</>
		);
	} else if (mode.kind === 'confirm') {
		body = <ConfirmWord step={step} words={mode.words} index={mode.index} typed={mode.typed} also={`, once for ${hostList(mode.hosts)}`} />;
	} else if (mode.kind === 'text') {
		body = (
			<>
				<Text bold color={theme.accent} wrap="wrap">
					Why skip “{step.title}” on {mode.host}? The reason is recorded.
				</Text>
				<TextField value={mode.value} placeholder="e.g. done by hand last week" />
			</>
		);
	} else if (mode.kind === 'ask') {
		const question = {
			quit:
				mode.hosts.length > 0
					? `Commands run on ${mode.hosts.join(', ')}. Stop them and leave? Unfinished hosts stay resumable.`
					: 'Leave the fleet view? Hosts whose run is unfinished stay resumable: rampart resume with the fleet id.',
			rollback: `Roll back “${step.title}” on ${mode.hosts.join(', ')} alone? Its rollback blocks run there now.`,
			'tick-all': `Tick every item of “${step.title}” on ${hostList(mode.hosts)}? Each tick is recorded per host.`,
		}[mode.question];
		body = (
			<Text bold color={theme.warning} wrap="wrap">
				{question}
			</Text>
		);
	}
	return <PromptBox height={height}>{body}</PromptBox>;
};
