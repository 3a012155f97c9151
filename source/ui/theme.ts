// Semantic colour tokens. Views name what a colour means (success, danger),
// never the colour itself, so NO_COLOR or a dumb terminal only swaps the
// theme.

import {createContext, useContext} from 'react';
import {canShowColour} from '../output/colour.js';

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

/** The colour theme where the terminal can show colours (source/output/colour.ts decides). */
export const chooseTheme = (env: NodeJS.ProcessEnv, stream: {isTTY?: boolean; hasColors?: () => boolean}): Theme =>
	canShowColour(env, stream) ? colourTheme : plainTheme;

export const ThemeContext = createContext<Theme>(plainTheme);

export const useTheme = (): Theme => useContext(ThemeContext);
