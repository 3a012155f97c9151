import {describe, expect, it} from 'vitest';
import {KEY, frontMatter, lab, renderApp} from './helpers.js';
import {DEMO} from './fixtures.js';

const INPUTS =
	frontMatter(
		'Inputs',
		`inputs:
  ADMIN_IP:
    type: ip
    prompt: Address to keep open
    default-from: ssh-client
  MODE:
    type: enum
    prompt: Policy
    values: [drop, reject]
    default: drop
  COUNT:
    type: integer
    prompt: How many
    min: 1
    max: 5
`,
	) + '## Look\n\nRead.\n';

describe('input form', () => {
	it('validates inline, by type, and shows the error going away as it is fixed', async () => {
		const app = renderApp(lab({demo: DEMO}), {screen: 'run', runbookRef: 'demo', givenInputs: {}});
		await app.waitFor('Domain of the site');
		await app.press('bad_domain', KEY.enter);
		await app.waitFor('DOMAIN "bad_domain" is not a domain name');
		for (let i = 0; i < 10; i++) await app.press(KEY.backspace);
		await app.press('example.org');
		await app.waitFor(f => !f.includes('is not a domain name'));
		await app.press(KEY.enter);
		await app.waitFor('Port (PORT)');
		expect(app.frame()).toContain('› 8080');
	});

	it('masks secrets while typing and in the review', async () => {
		const app = renderApp(lab({demo: DEMO}), {screen: 'run', runbookRef: 'demo', givenInputs: {DOMAIN: 'example.org'}});
		await app.waitFor('Domain of the site');
		await app.press(KEY.enter, KEY.enter);
		await app.waitFor('API token');
		await app.press('hunter2');
		const typing = await app.waitFor('*******');
		expect(typing).not.toContain('hunter2');
		await app.press(KEY.enter);
		const review = await app.waitFor('review');
		expect(review).toMatch(/TOKEN\s+\*{8}/);
		expect(review).toMatch(/DOMAIN\s+example\.org/);
		expect(review).not.toContain('hunter2');
		await app.press(KEY.esc);
		await app.waitFor('Field 3 of 3');
	});

	it('uses computed defaults (the SSH client address), choice cycling and ranges', async () => {
		const app = renderApp(lab({inputs: INPUTS}, {SSH_CLIENT: '203.0.113.9 50000 22'}), {screen: 'run', runbookRef: 'inputs', givenInputs: {}});
		const frame = await app.waitFor('Address to keep open');
		expect(frame).toContain('› 203.0.113.9');
		await app.press(KEY.enter);
		await app.waitFor('one of: drop, reject');
		await app.press('\u001B[C');
		await app.waitFor('› reject');
		await app.press(KEY.enter);
		await app.waitFor('How many');
		await app.press('9', KEY.enter);
		await app.waitFor(/COUNT .*(at most|5)/);
		await app.press(KEY.backspace, '3', KEY.enter);
		const review = await app.waitFor('review');
		expect(review).toMatch(/ADMIN_IP\s+203\.0\.113\.9/);
		expect(review).toMatch(/MODE\s+reject/);
		expect(review).toMatch(/COUNT\s+3/);
	});

	it('Esc goes back to the list when started from it', async () => {
		const app = renderApp(lab({demo: DEMO}));
		await app.waitFor('Filter:');
		await app.press('demo', KEY.enter);
		await app.waitFor('Domain of the site');
		await app.press(KEY.esc);
		await app.waitFor('Filter:');
	});
});
