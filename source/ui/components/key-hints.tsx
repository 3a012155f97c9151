// The key hint bar: always visible, generated from the command table.

import {Box, Text} from 'ink';
import {useTheme} from '../theme.js';

export const KeyHints = ({items}: {items: ReadonlyArray<{keys: string; label: string}>}) => {
	const theme = useTheme();
	return (
		<Box flexWrap="wrap" columnGap={2}>
			{items.map(item => (
				<Text key={`${item.keys}-${item.label}`}>
					<Text bold color={theme.accent}>
						{item.keys}
					</Text>
					<Text color={theme.muted}> {item.label}</Text>
				</Text>
			))}
		</Box>
	);
};
