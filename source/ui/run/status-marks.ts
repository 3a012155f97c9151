// How a step status is shown: a mark that reads without colour, a word, and
// a semantic tone. The marks are single-width on every common terminal.

import type {StepStatus} from '../../types/events.js';
import type {Theme} from '../theme.js';

export const STATUS: Record<StepStatus, {mark: string; word: string; tone: keyof Theme | undefined}> = {
	pending: {mark: '·', word: 'to do', tone: undefined},
	running: {mark: '▶', word: 'running', tone: 'accent'},
	done: {mark: '✓', word: 'done', tone: 'success'},
	'already-done': {mark: '=', word: 'already done', tone: 'success'},
	skipped: {mark: '»', word: 'skipped', tone: 'warning'},
	attention: {mark: '!', word: 'attention', tone: 'warning'},
	failed: {mark: '✗', word: 'failed', tone: 'danger'},
	'timed-out': {mark: '⧖', word: 'timed out', tone: 'danger'},
	cancelled: {mark: '⊘', word: 'stopped', tone: 'danger'},
	interrupted: {mark: '↯', word: 'interrupted', tone: 'warning'},
	'rolled-back': {mark: '↺', word: 'rolled back', tone: 'muted'},
};

export const toneColour = (theme: Theme, tone: keyof Theme | undefined): string | undefined => {
	if (!tone || tone === 'color') return undefined;
	return theme[tone] as string | undefined;
};

export const stepDuration = (startedAt?: string, endedAt?: string): number | undefined =>
	startedAt && endedAt ? Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) : undefined;
