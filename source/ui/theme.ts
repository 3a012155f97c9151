// Semantic colour tokens. Views name what a colour means (success, danger),
// never the colour itself, so NO_COLOR or a dumb terminal only swaps the
// theme. chalk ignores NO_COLOR, so the decision is made here.

import {createContext, useContext} from 'react';

export interface Theme {
	/** False for the no-colour theme: views then lean on marks and inverse. */
	color: boolean;
	success?: string;
	danger?: string;
	warning?: string;
	accent?: string;
	muted?: string;
	info?: string;
	code?: string;
	link?: string;
}

export const colourTheme: Theme = {
	color: true,
	success: 'green',
	danger: 'red',
	warning: 'yellow',
	accent: 'cyan',
	muted: 'gray',
	info: 'blue',
	code: 'magenta',
	link: 'blue',
};

export const plainTheme: Theme = {color: false};

/** https://no-color.org: any non-empty NO_COLOR turns colour off; so does a terminal that cannot show it. */
export const chooseTheme = (env: NodeJS.ProcessEnv, stream: {isTTY?: boolean; hasColors?: () => boolean}): Theme => {
	if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return plainTheme;
	if (env['TERM'] === 'dumb') return plainTheme;
	if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return colourTheme;
	if (stream.isTTY !== true) return plainTheme;
	return stream.hasColors?.() === false ? plainTheme : colourTheme;
};

export const ThemeContext = createContext<Theme>(plainTheme);

export const useTheme = (): Theme => useContext(ThemeContext);
