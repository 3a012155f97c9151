// A short menu: ↑/↓ or the item's own key, Enter picks, Esc goes back.

import {Box, Text} from 'ink';
import {useRef, useState} from 'react';
import {useKeypress} from '../use-keypress.js';
import {useTheme} from '../theme.js';

export interface ChoiceItem<V extends string> {
	value: V;
	key: string;
	label: string;
}

export const Choice = <V extends string>({items, onPick, onBack}: {items: ReadonlyArray<ChoiceItem<V>>; onPick: (value: V) => void; onBack: () => void}) => {
	const theme = useTheme();
	const [selected, setSelected] = useState(0);
	const ref = useRef(0);
	const select = (index: number) => {
		ref.current = Math.max(0, Math.min(items.length - 1, index));
		setSelected(ref.current);
	};
	useKeypress(({name}) => {
			if (name === 'up' || name === 'k') select(ref.current - 1);
			else if (name === 'down' || name === 'j') select(ref.current + 1);
			else if (name === 'enter') onPick(items[ref.current]!.value);
			else if (name === 'esc' || name === 'ctrl+c') onBack();
			else {
				const item = items.find(i => i.key === name);
				if (item) onPick(item.value);
			}
	});
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
			<Text color={theme.muted}>↑↓ select · Enter pick · Esc back</Text>
		</Box>
	);
};
