// The single entry for key presses. Ink hands over a whole chunk when keys
// arrive faster than it reads them ("abc\r" from a fast typist, a paste or a
// test); every screen wants them one at a time, in order. Under the app's
// KeyRouter, one Ink listener feeds whichever screen is showing.

import {useInput, useStdin, type Key} from 'ink';
import {useCallback, useLayoutEffect, useRef} from 'react';
import {keyName, typedText, type KeyName} from './keys.js';
import {useKeyRouter, type KeyRouter} from './key-router.js';

export interface Keypress {
	name?: KeyName;
	/** What the key types into a field, if anything. */
	text?: string;
}

const single = (char: string): Keypress => {
	if (char === '\r' || char === '\n') return {name: 'enter'};
	if (char === '\u007F' || char === '\b') return {name: 'backspace'};
	if (char === '\t') return {name: 'tab'};
	if (char === ' ') return {name: 'space', text: ' '};
	const code = char.codePointAt(0)!;
	if (code < 0x20) return {name: `ctrl+${String.fromCodePoint(code + 0x60)}`};
	return {name: char, text: char};
};

export const splitKeys = (input: string, key: Key): Keypress[] => {
	if (Array.from(input).length <= 1 || input.startsWith('\u001B') || key.ctrl || key.meta) {
		return [{name: keyName(input, key), text: typedText(input, key)}];
	}
	return Array.from(input).map(single);
};

/** The app's one Ink input listener, feeding the router; off while a block has the terminal. */
export const useKeyRouterInput = (router: KeyRouter, active: boolean) => {
	const {isRawModeSupported} = useStdin();
	const onInput = useCallback(
		(input: string, key: Key) => {
			for (const press of splitKeys(input, key)) router.press(press);
		},
		[router],
	);
	useInput(onInput, {isActive: isRawModeSupported === true && active});
};

export const useKeypress = (handler: (press: Keypress) => void, active = true) => {
	const router = useKeyRouter();
	const {isRawModeSupported} = useStdin();
	const ref = useRef(handler);
	ref.current = handler;
	const activeRef = useRef(active);
	activeRef.current = active;
	// Layout effect: listening starts in the same commit that draws the screen.
	useLayoutEffect(() => router?.register(press => activeRef.current && ref.current(press)), [router]);
	// Without a router (a component rendered on its own), listen directly.
	const onInput = useCallback((input: string, key: Key) => {
		for (const press of splitKeys(input, key)) ref.current(press);
	}, []);
	useInput(onInput, {isActive: !router && isRawModeSupported === true && active});
};
