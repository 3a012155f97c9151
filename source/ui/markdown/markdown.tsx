// Renders a step's Markdown (CommonMark + GFM) as Ink elements, from the
// mdast tree: the same parser the runbook layer uses, so what the operator
// sees is what was parsed. Shell blocks are labelled with what they do.

import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {fromMarkdown} from 'mdast-util-from-markdown';
import {gfm} from 'micromark-extension-gfm';
import {gfmFromMarkdown} from 'mdast-util-gfm';
import {toString} from 'mdast-util-to-string';
import type {Nodes, PhrasingContent, RootContent} from 'mdast';
import type {CodeBlock} from '../../runbook/model.js';
import {useTheme} from '../theme.js';
import {renderInline} from './inline.js';
import {renderCode, renderTable} from './code-and-tables.js';
import type {Walk} from './walk.js';

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
