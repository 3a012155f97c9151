// Ink's layout engine as the package 'yoga-layout' exports it, but started
// without fetch(). yoga-layout's Emscripten loader reads its inline wasm (a
// data: URL) with fetch() whenever fetch exists, and Node's first fetch()
// loads and compiles undici: about 30 ms of the TUI's start-up, for nothing.
// Without fetch the same loader decodes the same bytes itself. The bundle
// maps Ink's `import Yoga from 'yoga-layout'` here (scripts/build.mjs).

import {loadYoga} from 'yoga-layout/load';

export * from 'yoga-layout/load';

/** The loader looks for fetch only while it starts, synchronously; fetch is back before anything else runs. */
const withoutFetch = <T>(start: () => T): T => {
	const fetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
	delete (globalThis as {fetch?: unknown}).fetch;
	try {
		return start();
	} finally {
		if (fetch) Object.defineProperty(globalThis, 'fetch', fetch);
	}
};

const Yoga = await withoutFetch(loadYoga);
export default Yoga;
