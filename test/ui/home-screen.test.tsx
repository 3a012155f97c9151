import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {KEY, frontMatter, lab, renderApp, sh} from './helpers.js';
import {DEMO} from './fixtures.js';
import {filterRows, sortRows} from '../../source/ui/home/use-home-state.js';
import type {RunbookRow} from '../../source/engine/runbook-list.js';

const row = (id: string, state: RunbookRow['state'], extra: Partial<RunbookRow> = {}): RunbookRow => ({
	id,
	title: id,
	summary: '',
	tags: [],
	path: `/x/${id}.md`,
	origin: 'env',
	state,
	stateText: state,
	...extra,
});

describe('home list', () => {
	it('puts overdue first, then runs in progress, then what is due', () => {
		const sorted = sortRows([row('a', 'done'), row('b', 'never-run'), row('c', 'overdue'), row('d', 'due'), row('e', 'in-progress')]);
		expect(sorted.map(r => r.id)).toEqual(['c', 'e', 'd', 'b', 'a']);
	});

	it('filters on every word, in title, id, summary and tags', () => {
		const rows = [row('fw', 'done', {title: 'Firewall', tags: ['network']}), row('patch', 'done', {summary: 'OS updates'})];
		expect(filterRows(rows, 'NETWORK').map(r => r.id)).toEqual(['fw']);
		expect(filterRows(rows, 'os upd').map(r => r.id)).toEqual(['patch']);
		expect(filterRows(rows, 'os fire')).toEqual([]);
	});

	it('lists bundled and own runbooks with title, summary, tags and state', async () => {
		const app = renderApp(lab({demo: DEMO}));
		await app.waitFor('Filter:');
		// A bundled runbook is there (the list starts with them: periodic, never run, so due).
		expect(app.frame()).toContain('never run; every');
		await app.press('demo');
		const frame = await app.waitFor('Demo site');
		expect(frame).toContain('Summary of Demo site.');
		expect(frame).toContain('[web, demo]');
		expect(frame).toContain('never run');
	});

	it('shows a run in progress with its step, and overdue runbooks first', async () => {
		const l = lab({demo: DEMO, quarterly: frontMatter('Quarterly', 'every: 90d\n') + `## One\n\n${sh('true')}`});
		const index = {quarterly: {lastRunId: 'x', lastCompletedAt: '2020-01-01T00:00:00.000Z', every: '90d', nextDue: '2020-03-31T00:00:00.000Z'}};
		fs.mkdirSync(l.home, {recursive: true, mode: 0o700});
		fs.writeFileSync(path.join(l.home, 'index.json'), JSON.stringify(index), {mode: 0o600});
		const app = renderApp(l);
		const frame = await app.waitFor('Quarterly');
		// Overdue comes first, selected.
		expect(frame).toMatch(/› Quarterly\s+overdue by \d+ days/);
	});

	it('typing filters, Backspace edits, Esc clears, Enter opens the selected runbook', async () => {
		const app = renderApp(lab({demo: DEMO}));
		await app.waitFor('Filter:');
		await app.press('demox');
		await app.waitFor('Nothing matches the filter');
		await app.press(KEY.backspace);
		const frame = await app.waitFor('runbooks (1 of');
		expect(frame).not.toContain('Registrar');
		await app.press(KEY.esc);
		await app.waitFor(/runbooks \(\d+\)/);
		await app.press('demo', KEY.enter);
		await app.waitFor('Domain of the site');
	});

	it('? shows the keys, q leaves', async () => {
		const app = renderApp(lab({demo: DEMO}));
		await app.waitFor('Filter:');
		await app.press('?');
		await app.waitFor('Keys: runbooks');
		await app.press('x');
		await app.waitFor(f => !f.includes('Keys: runbooks'));
		await app.press('q');
		await app.waitFor(() => app.results.length > 0);
		expect(app.results[0]!.code).toBe(0);
	});

	it('a runbook that is not approved is shown for approval first; Esc approves nothing', async () => {
		const l = lab({demo: DEMO}, {}, {approved: false});
		const app = renderApp(l);
		await app.waitFor('Filter:');
		await app.press('demo', KEY.enter);
		const frame = await app.waitFor('has not been approved');
		expect(frame).toContain('title: Demo site');
		await app.press(KEY.esc);
		await app.waitFor('Filter:');
		await app.press('demo', KEY.enter);
		await app.waitFor('has not been approved');
		// Approval counts once the end of the text has been on screen: End (\u001B[F), then a.
		await app.press('\u001B[F', 'a');
		await app.waitFor('Domain of the site');
		// Approved once: the next time it opens straight away.
		await app.press(KEY.esc);
		await app.waitFor('Filter:');
		await app.press('demo', KEY.enter);
		await app.waitFor('Domain of the site');
	});

	it('an unfinished run is offered to resume or start over', async () => {
		const l = lab({demo: DEMO});
		const first = renderApp(l, {screen: 'run', runbookRef: 'demo', givenInputs: {DOMAIN: 'example.org'}});
		await first.waitFor('Domain of the site');
		await first.press(KEY.enter, KEY.enter, KEY.enter);
		await first.waitFor('review');
		await first.press(KEY.enter);
		await first.waitFor('1. Say hello');
		await first.press('q', 'y');
		await first.waitFor(() => first.results.length > 0);
		first.unmount();

		const app = renderApp(l);
		await app.waitFor(/in progress \(step 1 of 5, resumable\)/);
		await app.press('demo', KEY.enter);
		await app.waitFor('A run of this runbook is unfinished');
		await app.press('s');
		await app.waitFor('Domain of the site');
	});
});
