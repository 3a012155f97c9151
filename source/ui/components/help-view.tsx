// The `?` help: every command of the current screen, from its command table.
// Two columns when one does not fit the height (80×24 must show it all).

import {Box, Text} from 'ink';
import {useTheme} from '../theme.js';
import {anyKeyText, HELP_CLOSE_COMMANDS} from '../any-key.js';

export interface HelpViewProps {
	title: string;
	lines: ReadonlyArray<{keys: string; help: string}>;
	/** Rows available, border included; unlimited when not given. */
	height?: number;
	width?: number;
}

export const HelpView = ({title, lines, height = Infinity, width = 80}: HelpViewProps) => {
	const theme = useTheme();
	const twoColumns = lines.length + 4 > height;
	const keyWidth = Math.max(...lines.map(l => l.keys.length), 4);
	const columnWidth = twoColumns ? Math.floor((width - 4) / 2) : width - 4;
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={theme.accent} paddingX={1} width={Math.min(width, 100)}>
			<Text bold>Keys: {title}</Text>
			<Box flexDirection="row" flexWrap="wrap">
				{lines.map(line => (
					<Box key={line.keys + line.help} width={columnWidth} paddingRight={1}>
						<Text wrap="truncate-end">
							<Text bold color={theme.accent}>
								{line.keys.padEnd(keyWidth)}
							</Text>{' '}
							{line.help}
						</Text>
					</Box>
				))}
			</Box>
			<Text color={theme.muted}>{anyKeyText(HELP_CLOSE_COMMANDS)}</Text>
		</Box>
	);
};
