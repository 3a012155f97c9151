// Inline Markdown (emphasis, code, links, breaks) as Ink text.

import {Text} from 'ink';
import {Fragment, type ReactNode} from 'react';
import {toString} from 'mdast-util-to-string';
import type {PhrasingContent} from 'mdast';
import type {Theme} from '../theme.js';

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
