// The run screen's live output: what a command prints is shown as a terminal
// would end up showing it, and cannot reach the frame around it.

import {describe, expect, it} from 'vitest';
import {colourTheme} from '../../source/ui/theme.js';
import {stripStyles} from '../../source/output/terminal-text.js';
import {frontMatter, KEY, lab, renderApp, sh} from './helpers.js';

const HOSTILE = String.raw`printf 'progress  20%%\rprogress  60%%\rprogress 100%%\n'
printf '\e[2J\e[H\e]0;owned\a\e]52;c;b3duZWQ=\a\e[?1049h\e[5A\e[31mred\e[0m and plain\n'
printf 'downloading 42 files\r\e[2Kfetched\n'`;

describe('the output pane', () => {
	it('holds only the final progress text and the colours, and the frame around it stays whole', async () => {
		const l = lab({hostile: frontMatter('Hostile') + '## Print\n\n' + sh(HOSTILE) + '## After\n\n' + sh('true')});
		const app = renderApp(l, {screen: 'run', runbookRef: 'hostile', givenInputs: {}}, colourTheme);
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('1. Print');
		await app.press(KEY.enter);
		await app.waitFor('Run this step now?');
		await app.press(KEY.enter);
		await app.waitFor(/“Print” done in/);
		await app.press(KEY.up);
		const raw = await app.waitFor(/fetched/);
		const frame = stripStyles(raw);
		expect(frame).toMatch(/^\s*fetched\s*$/m);
		expect(frame).toMatch(/^\s*progress 100%\s*$/m);
		expect(frame).not.toMatch(/^\s*progress {2}20%/m);
		expect(frame).toMatch(/^\s*red and plain\s*$/m);
		expect(frame.split('\n')[0]).toContain('Hostile');
		// No escape sequence from the command reached the frame: only colours, which the app writes itself.
		expect(frame).not.toContain('\u001B');
		expect(raw).not.toContain('\u001B]');
		expect(raw).not.toContain('\u001B[2J');
		expect(raw).not.toContain('\u001B[?1049h');
		expect(raw).not.toContain('\u0007');
		expect(raw).toContain('\u001B[31mred\u001B[');
	});
});
