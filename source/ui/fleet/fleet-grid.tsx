// The grid: one row per host, one column per step, each cell the step's
// status on that host in the run screen's marks and tones (they read without
// colour too). The cursor cell is inverse; ● marks a selected host; a host
// that was not reached says why across its row.

import {Box, Text} from 'ink';
import type {Step} from '../../runbook/model.js';
import {useTheme} from '../theme.js';
import {STATUS, toneColour} from '../run/status-marks.js';
import type {FleetMember} from './open-fleet.js';
import {abbreviate, CELL, windowStart, type FleetLayout} from './fleet-layout.js';
import type {FleetUiState} from './use-fleet-state.js';

export interface FleetGridProps {
	members: readonly FleetMember[];
	steps: readonly Step[];
	ui: FleetUiState;
	busy: ReadonlySet<string>;
	layout: FleetLayout;
}

export const FleetGrid = ({members, steps, ui, busy, layout}: FleetGridProps) => {
	const theme = useTheme();
	const firstHost = windowStart(ui.host, layout.gridRows, members.length);
	const firstStep = windowStart(ui.step, layout.stepColumns, steps.length);
	const shown = steps.slice(firstStep, firstStep + layout.stepColumns);
	const more = `${firstStep > 0 ? '‹' : ' '}${firstStep + shown.length < steps.length ? '›' : ' '}`;
	return (
		<Box flexDirection="column" height={layout.gridRows + 1} overflow="hidden">
			<Text color={theme.muted} wrap="truncate-end">
				{more.padEnd(layout.nameWidth)}
				{shown.map(s => (
					<Text key={s.id} bold={s.index === ui.step} color={s.index === ui.step ? theme.accent : undefined}>
						{String(s.index + 1).padStart(CELL - 1)}{' '}
					</Text>
				))}
			</Text>
			{members.slice(firstHost, firstHost + layout.gridRows).map((member, i) => {
				const index = firstHost + i;
				const name = member.host.name;
				const mark = member.session ? (ui.selected.has(name) ? '●' : '○') : ' ';
				const head = `${mark} ${abbreviate(name, layout.nameWidth - 2)}`;
				if (!member.session) {
					return (
						<Text key={name} wrap="truncate-end" bold={index === ui.host}>
							{head}
							<Text color={theme.danger}> ✗ not reached: {member.problem?.split('\n')[0]}</Text>
						</Text>
					);
				}
				const states = member.session.state.steps;
				return (
					<Text key={name} wrap="truncate-end">
						<Text bold={index === ui.host} color={busy.has(name) ? theme.accent : undefined}>
							{head}
						</Text>
						{shown.map(step => {
							const state = states[step.index]!;
							const look = STATUS[state.status];
							const cursor = index === ui.host && step.index === ui.step;
							return (
								<Text key={step.id} inverse={cursor} color={cursor ? undefined : toneColour(theme, look.tone)}>
									{` ${state.status === 'pending' && state.checkPassed ? '=' : look.mark} `}
								</Text>
							);
						})}
					</Text>
				);
			})}
		</Box>
	);
};
