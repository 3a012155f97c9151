// The home screen: every runbook found, with its state; most urgent first.

import {Box, Text} from 'ink';
import type {RunbookRow} from '../../engine/runbook-list.js';
import {KeyHints} from '../components/key-hints.js';
import {HelpView} from '../components/help-view.js';
import {TextField} from '../components/text-field.js';
import {helpLines, hintItems} from '../commands.js';
import {useTheme, type Theme} from '../theme.js';
import {HOME_COMMANDS} from './home-commands.js';
import {visibleRows, type HomeState} from './use-home-state.js';

const stateColour = (theme: Theme, row: RunbookRow): string | undefined => {
	if (row.problem) return theme.danger;
	return {overdue: theme.danger, due: theme.warning, 'in-progress': theme.accent, done: theme.success, 'never-run': theme.muted}[row.state];
};

export const HomeView = ({state, columns, rows, notice}: {state: HomeState; columns: number; rows: number; notice?: string}) => {
	const theme = useTheme();
	const height = Math.max(10, rows - 1);
	const shown = visibleRows(state);
	const perRow = 2;
	const listHeight = height - 6 - (notice ? 1 : 0);
	const fit = Math.max(1, Math.floor(listHeight / perRow));
	const first = Math.max(0, Math.min(state.selected - Math.floor(fit / 2), shown.length - fit));
	return (
		<Box flexDirection="column" width={columns} height={height}>
			<Text bold>
				<Text color={theme.accent}>rampart</Text> · runbooks ({shown.length === state.rows.length ? state.rows.length : `${shown.length} of ${state.rows.length}`})
			</Text>
			<Box>
				<Text color={theme.muted}>Filter: </Text>
				<TextField value={state.filter} placeholder="type to filter by title, id or tag" />
			</Box>
			{notice ? (
				<Text color={theme.warning} wrap="truncate-end">
					{notice}
				</Text>
			) : null}
			{state.help ? (
				<HelpView title="runbooks" lines={helpLines(HOME_COMMANDS)} />
			) : (
				<Box flexDirection="column" height={listHeight} overflow="hidden" marginTop={1}>
					{shown.length === 0 ? <Text color={theme.muted}>{state.rows.length === 0 ? 'No runbooks found.' : 'Nothing matches the filter. Esc clears it.'}</Text> : null}
					{shown.slice(first, first + fit).map((row, i) => {
						const selected = first + i === state.selected;
						return (
							<Box key={row.path} flexDirection="column" height={perRow}>
								<Text wrap="truncate-end" bold={selected} inverse={selected && !theme.color}>
									<Text color={selected ? theme.accent : undefined}>{selected ? '› ' : '  '}</Text>
									{row.title}
									{'  '}
									<Text bold={false} color={stateColour(theme, row)}>
										{row.stateText}
									</Text>
								</Text>
								<Text wrap="truncate-end" color={theme.muted}>
									{'    '}
									{row.summary ? `${row.summary}  ` : ''}
									{row.id}
									{row.tags.length > 0 ? ` [${row.tags.join(', ')}]` : ''}
								</Text>
							</Box>
						);
					})}
				</Box>
			)}
			<Box flexGrow={1} />
			<KeyHints items={hintItems(HOME_COMMANDS)} />
		</Box>
	);
};
