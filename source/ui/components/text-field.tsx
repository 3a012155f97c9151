// A one-line text field as drawn; its value and editing live in the
// reducer of the screen that owns it (one owner for key presses).

import {Text} from 'ink';
import {useTheme} from '../theme.js';

export interface TextFieldProps {
	value: string;
	/** Secrets are drawn as one * per character, never as text. */
	masked?: boolean;
	placeholder?: string;
	focused?: boolean;
	invalid?: boolean;
}

export const TextField = ({value, masked, placeholder, focused = true, invalid}: TextFieldProps) => {
	const theme = useTheme();
	const shown = masked ? '*'.repeat(value.length) : value;
	return (
		<Text>
			<Text color={invalid ? theme.danger : focused ? theme.accent : theme.muted}>{focused ? '› ' : '  '}</Text>
			{shown === '' && placeholder ? <Text color={theme.muted}>{placeholder}</Text> : <Text>{shown}</Text>}
			{focused ? <Text inverse> </Text> : null}
		</Text>
	);
};

/** Applies an editing key to a field value: typed text, or Backspace. */
export const editText = (value: string, typed: string | undefined, backspace: boolean): string => {
	if (backspace) return Array.from(value).slice(0, -1).join('');
	return typed === undefined ? value : value + typed;
};
