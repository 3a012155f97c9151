// Whether a stream can show colours: one decision for the TUI's theme and
// the headless renderers. chalk and listr2 ignore NO_COLOR, so it is made here.

/** https://no-color.org: any non-empty NO_COLOR turns colour off; so does a terminal that cannot show it. */
export const canShowColour = (env: NodeJS.ProcessEnv, stream: {isTTY?: boolean; hasColors?: () => boolean}): boolean => {
	if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
	if (env['TERM'] === 'dumb') return false;
	if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
	if (stream.isTTY !== true) return false;
	return stream.hasColors?.() !== false;
};
