// The fleet view's own state: the cursor, the selection and the prompts;
// and its layout at 80×24 with many hosts and steps.

import {describe, expect, it} from 'vitest';
import {fleetUiReducer, initialFleetUi, type FleetUiState} from '../../source/ui/fleet/use-fleet-state.js';
import {abbreviate, fleetLayout, windowStart} from '../../source/ui/fleet/fleet-layout.js';

const start = (): FleetUiState => initialFleetUi(['web1', 'web2', 'web3']);

describe('fleet view state', () => {
	it('starts with every reached host selected; a selects none, then all again', () => {
		let state = start();
		expect([...state.selected]).toEqual(['web1', 'web2', 'web3']);
		state = fleetUiReducer(state, {type: 'toggle-all', hosts: ['web1', 'web2', 'web3']});
		expect(state.selected.size).toBe(0);
		state = fleetUiReducer(state, {type: 'toggle', host: 'web2'});
		expect([...state.selected]).toEqual(['web2']);
		state = fleetUiReducer(state, {type: 'toggle-all', hosts: ['web1', 'web2', 'web3']});
		expect([...state.selected].sort()).toEqual(['web1', 'web2', 'web3']);
		state = fleetUiReducer(state, {type: 'toggle', host: 'web2'});
		expect(state.selected.has('web2')).toBe(false);
	});

	it('Tab wraps around the hosts; arrows stop at the ends', () => {
		let state = start();
		state = fleetUiReducer(state, {type: 'host', by: -1, count: 3, wrap: true});
		expect(state.host).toBe(2);
		state = fleetUiReducer(state, {type: 'host', by: 1, count: 3, wrap: true});
		expect(state.host).toBe(0);
		state = fleetUiReducer(state, {type: 'host', by: -1, count: 3});
		expect(state.host).toBe(0);
		state = fleetUiReducer(state, {type: 'step', by: 5, count: 4});
		expect(state.step).toBe(3);
	});

	it('types into the open prompt only, and moves through the confirmation words', () => {
		let state = fleetUiReducer(start(), {type: 'edit', typed: 'x'});
		expect(state.mode).toEqual({kind: 'browse'});
		const words = [
			{block: 0, word: 'yes'},
			{block: 1, word: 'example.org', input: 'DOMAIN'},
		];
		state = fleetUiReducer(state, {type: 'mode', mode: {kind: 'confirm', step: 's', hosts: ['web1'], words, index: -1, typed: '', rerun: []}});
		state = fleetUiReducer(state, {type: 'edit', typed: 'x'});
		expect(state.mode).toMatchObject({index: -1, typed: ''});
		state = fleetUiReducer(state, {type: 'confirm-next'});
		state = fleetUiReducer(state, {type: 'edit', typed: 'ye'});
		state = fleetUiReducer(state, {type: 'edit', typed: 'z'});
		state = fleetUiReducer(state, {type: 'edit', backspace: true});
		expect(state.mode).toMatchObject({index: 0, typed: 'ye'});
		state = fleetUiReducer(state, {type: 'confirm-next'});
		expect(state.mode).toMatchObject({index: 1, typed: ''});
	});
});

describe('fleet view layout', () => {
	it('fits 80×24 with 40 hosts and 30 steps: a window of each around the cursor', () => {
		const hosts = Array.from({length: 40}, (_, i) => `web${i + 1}.example.org`);
		const layout = fleetLayout(80, 24, hosts);
		expect(layout.height).toBe(23);
		expect(layout.gridRows + layout.panelRows + 7).toBe(23);
		expect(layout.gridRows).toBeGreaterThanOrEqual(5);
		expect(layout.panelRows).toBeGreaterThanOrEqual(5);
		expect(layout.nameWidth + 1 + layout.stepColumns * 3).toBeLessThanOrEqual(80);
		expect(windowStart(0, layout.gridRows, 40)).toBe(0);
		expect(windowStart(39, layout.gridRows, 40)).toBe(40 - layout.gridRows);
		const middle = windowStart(20, layout.gridRows, 40);
		expect(middle).toBeLessThanOrEqual(20);
		expect(middle + layout.gridRows).toBeGreaterThan(20);
		expect(abbreviate('web12.example.org', 8)).toBe('web12.e…');
		expect(abbreviate('db1', 5)).toBe('db1  ');
	});
});
