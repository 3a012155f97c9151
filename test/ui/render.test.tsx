import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {Markdown} from '../../source/ui/markdown/markdown.js';
import {chooseTheme, colourTheme, plainTheme, ThemeContext} from '../../source/ui/theme.js';
import {splitKeys} from '../../source/ui/use-keypress.js';
import {hintItems, resolveCommand} from '../../source/ui/commands.js';
import {RUN_COMMANDS} from '../../source/ui/run/run-commands.js';
import {OutputTails} from '../../source/ui/run/output-tail.js';
import type {Key} from 'ink';

const MD = `### Heading

Some *emphasis*, **strong**, \`code\`
and a [link](https://example.org).

1. first
2. second

- [ ] open item
- [x] done in source

| Name | Port |
| --- | ---: |
| ssh | 22 |

> [!WARNING]
> Mind the gap.

> Plain quote.

\`\`\`sh {role=check}
true
\`\`\`

\`\`\`nginx
server {}
\`\`\`
`;

const noKey = {} as Key;

describe('markdown', () => {
	it('renders headings, emphasis, code, links, lists, tasks, tables, callouts and code blocks', () => {
		const {lastFrame} = render(
			<ThemeContext.Provider value={plainTheme}>
				<Markdown markdown={MD} width={80} ticked={new Set([1])} taskCursor={0} />
			</ThemeContext.Provider>,
		);
		const frame = lastFrame()!;
		expect(frame).toContain('Heading');
		expect(frame).not.toContain('###');
		expect(frame).toContain('Some emphasis, strong, `code` and a link <https://example.org>.');
		expect(frame).toContain('1. first');
		expect(frame).toContain('›[ ] open item');
		expect(frame).toContain('[x] done in source');
		expect(frame).toMatch(/Name │ Port/);
		expect(frame).toMatch(/ssh {2}│ {3}22/);
		expect(frame).toContain('! Warning');
		expect(frame).toContain('Mind the gap.');
		expect(frame).not.toContain('[!WARNING]');
		expect(frame).toContain('Plain quote.');
		expect(frame).toContain('│ server {}');
		expect(frame).toContain('nginx (shown, not run)');
	});

	it('labels shell blocks with what they do', () => {
		const blocks = [
			{
				index: 0,
				lang: 'sh',
				runnable: true,
				role: 'check',
				code: 'true',
				confirm: false,
				interactive: false,
				continueOnError: false,
				maskCredentials: true,
				finding: false,
				idempotent: false,
				attributes: {},
				position: {line: 1, column: 1},
				codeLine: 2,
			},
		] as const;
		const {lastFrame} = render(<Markdown markdown={'```sh\ntrue\n```\n'} blocks={[...blocks]} width={80} />);
		expect(lastFrame()).toContain('$ check (already done?)');
	});
});

describe('theme', () => {
	it('honours NO_COLOR and dumb terminals', () => {
		const tty = {isTTY: true, hasColors: () => true};
		expect(chooseTheme({NO_COLOR: '1'}, tty)).toBe(plainTheme);
		expect(chooseTheme({TERM: 'dumb'}, tty)).toBe(plainTheme);
		expect(chooseTheme({}, {isTTY: false})).toBe(plainTheme);
		expect(chooseTheme({TERM: 'xterm-256color'}, tty)).toBe(colourTheme);
	});
});

describe('keys and commands', () => {
	it('splits a chunk of keys into single key presses', () => {
		expect(splitKeys('ab\r', noKey)).toEqual([{name: 'a', text: 'a'}, {name: 'b', text: 'b'}, {name: 'enter'}]);
		expect(splitKeys('x\u007F', noKey)).toEqual([{name: 'x', text: 'x'}, {name: 'backspace'}]);
		expect(splitKeys('q', noKey)).toEqual([{name: 'q', text: 'q'}]);
	});

	it('resolves keys to commands, only among those available, and draws hints from the same table', () => {
		expect(resolveCommand(RUN_COMMANDS, 'j')).toBe('next');
		expect(resolveCommand(RUN_COMMANDS, 's', new Set(['run']))).toBeUndefined();
		const hints = hintItems(RUN_COMMANDS, new Set(['run', 'skip', 'next']));
		expect(hints).toEqual([
			{keys: 'Enter', label: 'run step'},
			{keys: 's', label: 'skip'},
		]);
	});
});

describe('output tail', () => {
	it('keeps only the last lines of each step', () => {
		const tails = new OutputTails(100);
		for (let i = 0; i < 10_000; i++) tails.push('a', {text: `line ${i}`, stream: 'stdout'});
		const tail = tails.get('a');
		expect(tail).toHaveLength(100);
		expect(tail.at(-1)!.text).toBe('line 9999');
		expect(tail[0]!.text).toBe('line 9900');
	});
});
