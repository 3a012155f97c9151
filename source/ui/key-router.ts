// One owner for key presses in the whole app. Ink reads keys as they come;
// a screen attaches its handler only after React has drawn it. Keys typed
// ahead of a screen change (Enter, then the first letters of an input) are
// queued while no screen listens and handed to the next screen in order,
// never to the one that just left.

import {createContext, useContext} from 'react';
import type {Keypress} from './use-keypress.js';

export type KeyHandler = (press: Keypress) => void;

export class KeyRouter {
	private handler: KeyHandler | undefined;
	private readonly queue: Keypress[] = [];

	/** A screen starts listening; whatever was typed meanwhile goes to it first. */
	register(handler: KeyHandler): () => void {
		this.handler = handler;
		this.flush();
		return () => {
			if (this.handler === handler) this.handler = undefined;
		};
	}

	/** The screen is about to change: hold keys until the next one listens. */
	hold(): void {
		this.handler = undefined;
	}

	press(press: Keypress): void {
		if (this.handler && this.queue.length === 0) this.handler(press);
		else {
			this.queue.push(press);
			this.flush();
		}
	}

	private flush(): void {
		while (this.handler && this.queue.length > 0) this.handler(this.queue.shift()!);
	}
}

export const KeyRouterContext = createContext<KeyRouter | undefined>(undefined);

export const useKeyRouter = (): KeyRouter | undefined => useContext(KeyRouterContext);
