// A short menu: ↑/↓ or the item's own key, Enter picks, Esc goes back; the
// keys are CHOICE_COMMANDS (choice-commands.ts), the hints and `?` help too.

import {Box, Text} from 'ink';
import {useTheme} from '../theme.js';
import {helpLines, hintItems} from '../commands.js';
import {KeyHints} from './key-hints.js';
import {HelpView} from './help-view.js';
import {CHOICE_COMMANDS} from './choice-commands.js';
import {useChoice} from './use-choice.js';

export interface ChoiceItem<V extends string> {
	value: V;
	key: string;
	label: string;
}

export interface ChoiceProps<V extends string> {
	items: ReadonlyArray<ChoiceItem<V>>;
	onPick: (value: V) => void;
	onBack: () => void;
	/** The `?` help's title. */
	title?: string;
}

export const Choice = <V extends string>({items, onPick, onBack, title = 'choose'}: ChoiceProps<V>) => {
	const theme = useTheme();
	const {selected, help} = useChoice(items, onPick, onBack);
	if (help) return <HelpView title={title} lines={[...helpLines(CHOICE_COMMANDS), ...items.map(item => ({keys: item.key, help: item.label}))]} />;
	return (
		<Box flexDirection="column">
			{items.map((item, i) => (
				<Text key={item.value} bold={i === selected} inverse={i === selected && !theme.color}>
					<Text color={theme.accent}>{i === selected ? '› ' : '  '}</Text>
					<Text bold color={theme.accent}>
						{item.key}
					</Text>{' '}
					{item.label}
				</Text>
			))}
			<KeyHints items={hintItems(CHOICE_COMMANDS)} />
		</Box>
	);
};
