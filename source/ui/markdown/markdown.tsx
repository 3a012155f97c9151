// Renders a step's Markdown (CommonMark + GFM) as Ink elements, from the
// mdast tree: the same parser the runbook layer uses, so what the operator
// sees is what was parsed. Shell blocks are labelled with what they do.

import {Box, Text} from 'ink';
import {Fragment, type ReactNode} from 'react';
import {fromMarkdown} from 'mdast-util-from-markdown';
import {gfm} from 'micromark-extension-gfm';
import {gfmFromMarkdown} from 'mdast-util-gfm';
import {toString} from 'mdast-util-to-string';
import type {Nodes, PhrasingContent, RootContent, Table} from 'mdast';
import type {CodeBlock} from '../../runbook/model.js';
import {useTheme, type Theme} from '../theme.js';

export interface MarkdownProps {
	markdown: string;
	/** The step's blocks, in document order, to label each code block. */
	blocks?: readonly CodeBlock[];
	/** Task items ticked in this run, by index. */
	ticked?: ReadonlySet<number>;
	/** Task item the next tick goes to. */
	taskCursor?: number;
	width: number;
}

export const parseMarkdown = (markdown: string) => fromMarkdown(markdown, {extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()]});

interface Walk {
	theme: Theme;
	blocks: readonly CodeBlock[];
	ticked: ReadonlySet<number>;
	taskCursor?: number;
	width: number;
	/** Shared by the whole walk: code blocks and task items are numbered in document order. */
	counters: {code: number; task: number};
}

export const Markdown = ({markdown, blocks = [], ticked = new Set(), taskCursor, width}: MarkdownProps) => {
	const theme = useTheme();
	const tree = parseMarkdown(markdown);
	const walk: Walk = {theme, blocks, ticked, taskCursor, width, counters: {code: 0, task: 0}};
	return <Box flexDirection="column">{renderBlocks(tree.children, walk, true)}</Box>;
};

const renderBlocks = (nodes: readonly RootContent[], walk: Walk, spaced: boolean): ReactNode[] =>
	nodes.map((node, i) => (
		<Box key={i} marginTop={spaced && i > 0 ? 1 : 0} flexDirection="column" width={walk.width}>
			{renderBlock(node, walk)}
		</Box>
	));

const renderBlock = (node: RootContent, walk: Walk): ReactNode => {
	const {theme} = walk;
	switch (node.type) {
		case 'heading':
			return (
				<Text bold color={theme.accent} underline={node.depth <= 2}>
					{renderInline(node.children, theme)}
				</Text>
			);
		case 'paragraph':
			return <Text wrap="wrap">{renderInline(node.children, theme)}</Text>;
		case 'list':
			return (
				<Box flexDirection="column">
					{node.children.map((item, i) => {
						let bullet = node.ordered ? `${(node.start ?? 1) + i}. ` : '• ';
						let colour: string | undefined;
						let cursor = false;
						if (typeof item.checked === 'boolean') {
							const index = walk.counters.task++;
							const done = walk.ticked.has(index);
							cursor = walk.taskCursor === index;
							bullet = done ? '[x] ' : '[ ] ';
							colour = done ? theme.success : undefined;
						}
						const mark = cursor ? `›${bullet}` : ` ${bullet}`;
						// Explicit widths: Ink measures wrapped text in a shrinking row box one column too wide.
						const inner = {...walk, width: Math.max(10, walk.width - mark.length)};
						return (
							<Box key={i} flexDirection="row" width={walk.width}>
								<Box width={mark.length} flexShrink={0}>
									<Text color={colour} inverse={cursor} bold={cursor}>
										{mark}
									</Text>
								</Box>
								<Box flexDirection="column" width={inner.width}>
									{renderBlocks(item.children, inner, item.spread === true)}
								</Box>
							</Box>
						);
					})}
				</Box>
			);
		case 'blockquote':
			return <Callout node={node} walk={walk} />;
		case 'code':
			return renderCode(node.lang ?? '', node.value, walk);
		case 'table':
			return renderTable(node, walk);
		case 'thematicBreak':
			return <Text color={theme.muted}>{'─'.repeat(Math.max(3, Math.min(walk.width, 60)))}</Text>;
		case 'html':
			return <Text color={theme.muted}>{node.value}</Text>;
		case 'definition':
			return null;
		default:
			return <Text>{toString(node as Nodes)}</Text>;
	}
};

/** `> [!WARNING]` (GitHub alerts) and plain block quotes, shown as callouts. */
const Callout = ({node, walk}: {node: Extract<RootContent, {type: 'blockquote'}>; walk: Walk}) => {
	const {theme} = walk;
	const first = node.children[0];
	let kind: string | undefined;
	let children = node.children;
	if (first?.type === 'paragraph' && first.children[0]?.type === 'text') {
		const match = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*/i.exec(first.children[0].value);
		if (match) {
			kind = match[1]!.toUpperCase();
			const rest = first.children[0].value.slice(match[0].length);
			const inline = [{...first.children[0], value: rest}, ...first.children.slice(1)].filter(c => c.type !== 'text' || c.value !== '');
			children = inline.length > 0 ? [{...first, children: inline as PhrasingContent[]}, ...node.children.slice(1)] : node.children.slice(1);
		}
	}
	const colour = kind === 'WARNING' || kind === 'CAUTION' ? theme.warning : kind === 'IMPORTANT' ? theme.danger : theme.info;
	return (
		<Box borderStyle="bold" borderTop={false} borderRight={false} borderBottom={false} borderColor={colour} paddingLeft={1} flexDirection="column">
			{kind ? (
				<Text bold color={colour}>
					{kind === 'WARNING' || kind === 'CAUTION' ? '! ' : 'i '}
					{kind.charAt(0) + kind.slice(1).toLowerCase()}
				</Text>
			) : null}
			{renderBlocks(children, {...walk, width: Math.max(10, walk.width - 2)}, false)}
		</Box>
	);
};

const ROLE_TEXT: Record<string, string> = {
	run: 'runs',
	check: 'check (already done?)',
	verify: 'verify (did it work?)',
	rollback: 'rollback (undo)',
};

const renderCode = (lang: string, value: string, walk: Walk): ReactNode => {
	const {theme} = walk;
	const block = walk.blocks[walk.counters.code++];
	let label: string;
	if (block?.runnable) {
		const flags = [
			block.confirm ? 'asks to confirm' : '',
			block.interactive ? 'uses the terminal' : '',
			block.timeoutMs ? `timeout ${Math.round(block.timeoutMs / 1000)}s` : '',
		]
			.filter(Boolean)
			.join(', ');
		label = `$ ${block.name ? `${block.name} — ` : ''}${ROLE_TEXT[block.role] ?? block.role}${flags ? ` (${flags})` : ''}`;
	} else {
		label = `${lang || 'text'} (shown, not run)`;
	}
	const lines = value.split('\n');
	return (
		<Box flexDirection="column">
			<Text color={block?.runnable ? theme.accent : theme.muted} bold={block?.runnable}>
				{label}
			</Text>
			{lines.map((line, i) => (
				<Text key={i} wrap="truncate-end">
					<Text color={theme.muted}>│ </Text>
					<Text color={theme.code}>{line}</Text>
				</Text>
			))}
		</Box>
	);
};

const renderTable = (node: Table, walk: Walk): ReactNode => {
	const {theme} = walk;
	const rows = node.children.map(row => row.children.map(cell => toString(cell)));
	const columns = Math.max(...rows.map(r => r.length));
	const widths = Array.from({length: columns}, (_, c) => Math.max(1, ...rows.map(r => (r[c] ?? '').length)));
	// Narrow terminals: share what is left between the widest columns.
	const room = Math.max(columns * 4, walk.width - (columns - 1) * 3);
	while (widths.reduce((a, b) => a + b, 0) > room) {
		const widest = widths.indexOf(Math.max(...widths));
		widths[widest] = widths[widest]! - 1;
	}
	const align = node.align ?? [];
	const cell = (text: string, c: number) => {
		const w = widths[c]!;
		const cut = text.length > w ? `${text.slice(0, w - 1)}…` : text;
		return align[c] === 'right' ? cut.padStart(w) : cut.padEnd(w);
	};
	return (
		<Box flexDirection="column">
			{rows.map((row, r) => (
				<Fragment key={r}>
					<Text bold={r === 0} wrap="truncate-end">
						{Array.from({length: columns}, (_, c) => cell(row[c] ?? '', c)).join(' │ ')}
					</Text>
					{r === 0 ? <Text color={theme.muted}>{widths.map(w => '─'.repeat(w)).join('─┼─')}</Text> : null}
				</Fragment>
			))}
		</Box>
	);
};

export const renderInline = (nodes: readonly PhrasingContent[], theme: Theme): ReactNode[] =>
	nodes.map((node, i) => {
		switch (node.type) {
			case 'text':
				// A line break inside a paragraph is a soft break: the terminal wraps instead.
				return <Fragment key={i}>{node.value.replace(/[ \t]*\n[ \t]*/g, ' ')}</Fragment>;
			case 'emphasis':
				return (
					<Text key={i} italic>
						{renderInline(node.children, theme)}
					</Text>
				);
			case 'strong':
				return (
					<Text key={i} bold>
						{renderInline(node.children, theme)}
					</Text>
				);
			case 'delete':
				return (
					<Text key={i} strikethrough>
						{renderInline(node.children, theme)}
					</Text>
				);
			case 'inlineCode':
				// Backticks stay in the no-colour theme: they are what marks the code.
				return (
					<Text key={i} color={theme.code}>
						{theme.color ? node.value : `\`${node.value}\``}
					</Text>
				);
			case 'link': {
				const text = toString(node);
				return (
					<Text key={i} color={theme.link} underline>
						{renderInline(node.children, theme)}
						{text === node.url || `mailto:${text}` === node.url ? '' : ` <${node.url}>`}
					</Text>
				);
			}
			case 'break':
				return <Fragment key={i}>{'\n'}</Fragment>;
			case 'image':
				return <Fragment key={i}>[image: {node.alt ?? node.url}]</Fragment>;
			case 'html':
				return <Fragment key={i}>{node.value}</Fragment>;
			default:
				return <Fragment key={i}>{toString(node)}</Fragment>;
		}
	});
