// The fleet view as drawn: the hosts × steps grid, the step and host under
// the cursor, that host's live output (or the open prompt), the last message
// and the key hints. Pure: everything comes in as props.

import {Box, Text} from 'ink';
import type {Runbook} from '../../runbook/model.js';
import {SETTLED} from '../../engine/state.js';
import {KeyHints} from '../components/key-hints.js';
import {HelpView} from '../components/help-view.js';
import {useTheme} from '../theme.js';
import {OutputPane} from '../run/output-pane.js';
import {MessageLine} from '../run/run-view.js';
import {Legend} from '../run/step-list.js';
import {STATUS, toneColour} from '../run/status-marks.js';
import type {TailLine} from '../run/output-tail.js';
import type {FleetMember} from './open-fleet.js';
import {FleetGrid} from './fleet-grid.js';
import {FleetPrompt} from './fleet-prompt.js';
import {fleetLayout} from './fleet-layout.js';
import {key} from './fleet-commands.js';
import type {FleetUiState} from './use-fleet-state.js';

export interface FleetViewProps {
	runbook: Runbook;
	members: readonly FleetMember[];
	ui: FleetUiState;
	busy: ReadonlySet<string>;
	/** The output of the step under the cursor on the host under the cursor. */
	tail: readonly TailLine[];
	hints: ReadonlyArray<{keys: string; label: string}>;
	help: ReadonlyArray<{keys: string; help: string}>;
	columns: number;
	rows: number;
}

export const FleetView = (props: FleetViewProps) => {
	const {runbook, members, ui, busy, columns, rows} = props;
	const theme = useTheme();
	const layout = fleetLayout(
		columns,
		rows,
		members.map(m => m.host.name),
	);
	const step = runbook.steps[ui.step]!;
	const member = members[ui.host];
	const runs = members.flatMap(m => (m.session ? [m.session.state] : []));
	const settled = runs.reduce((n, s) => n + s.steps.filter(x => SETTLED.has(x.status)).length, 0);
	const state = member?.session?.state.steps[ui.step];
	const hostLine = !member
		? ''
		: !member.session
			? `${member.host.name}: not reached: ${member.problem?.split('\n')[0] ?? ''}`
			: `${member.host.name}: ${STATUS[state!.status].word}${state!.status === 'pending' && state!.checkPassed ? ' (check passed)' : ''}${state!.skipReason ? ` — ${state!.skipReason}` : ''}${state!.error ? ` — ${state!.error}` : ''}${member.session.state.outcome ? ` · run ${member.session.state.outcome}` : ''}${member.session.lost ? ` · connection lost (${member.session.lost}): rampart resume continues it` : ''}`;
	const prompting = ui.mode.kind === 'confirm' || ui.mode.kind === 'text' || ui.mode.kind === 'ask';
	const running = member !== undefined && busy.has(member.host.name);
	const title = `── ${member?.host.name ?? ''} · ${ui.host + 1} of ${members.length} · ${running ? 'running' : 'last lines'} · ${key('next-host')}: next host ──`;
	return (
		<Box flexDirection="column" width={columns} height={layout.height}>
			<Box justifyContent="space-between" height={1}>
				<Text bold wrap="truncate-end">
					<Text color={theme.accent}>rampart</Text> {runbook.meta.title} · {members.length} hosts
				</Text>
				<Text color={theme.muted}>
					{' '}
					{settled}/{runs.length * runbook.steps.length} settled
				</Text>
			</Box>
			{ui.mode.kind === 'help' ? (
				<Box height={layout.height - 4} flexDirection="column" overflow="hidden">
					<HelpView title="fleet" lines={props.help} height={layout.height - 6} width={columns} />
					<Legend />
				</Box>
			) : (
				<>
					<FleetGrid members={members} steps={runbook.steps} ui={ui} busy={busy} layout={layout} />
					<Text bold wrap="truncate-end">
						{step.index + 1}. {step.title}
					</Text>
					<Text color={state ? toneColour(theme, STATUS[state.status].tone) : theme.danger} wrap="truncate-end">
						{hostLine}
					</Text>
					{prompting ? (
						<FleetPrompt mode={ui.mode} step={step} height={layout.panelRows} />
					) : (
						<OutputPane tail={props.tail} height={layout.panelRows} running={running} title={title} />
					)}
				</>
			)}
			<MessageLine message={ui.message} busy={busy.size > 0} />
			<Box height={2} overflow="hidden">
				<KeyHints items={props.hints} />
			</Box>
		</Box>
	);
};
