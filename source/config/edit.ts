// `rampart config set/unset`: one key of one file changed, the rest of the
// file (comments, order) kept, the result validated before it replaces the
// file, so a typo never leaves a configuration Rampart then refuses to read.

import fs from 'node:fs';
import path from 'node:path';
import {writeFileAtomically} from '../journal/state-dir.js';
import {Document, isMap, parse as parseYaml, parseDocument} from 'yaml';
import {SettingsError} from './settings-error.js';
import {validateSettings} from './settings.js';

const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export const keyPath = (file: string, key: string): string[] => {
	if (!KEY_PATTERN.test(key)) throw new SettingsError(file, key, 'not a setting name (words joined by dots, e.g. notify.webhook.url)');
	return key.split('.');
};

const openDocument = (file: string): Document => {
	let text = '';
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new SettingsError(file, undefined, `cannot be read: ${(error as Error).message}`);
	}
	const document = parseDocument(text);
	if (document.errors[0]) throw new SettingsError(file, undefined, `not valid YAML: ${document.errors[0].message.split('\n')[0]}`);
	return document.contents === null ? new Document({}) : document;
};

/**
 * What VALUE may mean, most specific first: YAML (`true`, `[a, b]`), the text
 * as it is, then a comma-separated list (`notify.email a@x,b@y`). The first
 * reading the schema accepts is kept; none fits: the schema's own message.
 */
const readings = (value: string): unknown[] => {
	const list = value.split(',').map(part => part.trim());
	let yamlValue: unknown = value;
	try {
		yamlValue = parseYaml(value);
	} catch {
		// Not YAML: the text as it is is tried next.
	}
	return [yamlValue, value, list];
};

/** Written whole and 0600 (a webhook URL may carry a token), through the state directory's atomic write: a crash leaves the old file or the new. */
const save = async (file: string, document: Document, mode: number): Promise<void> => {
	fs.mkdirSync(path.dirname(file), {recursive: true, mode});
	writeFileAtomically(file, document.toString());
};

/** Sets KEY in FILE (made if missing, 0600); its directory is made with dirMode. */
export const setSetting = async (file: string, key: string, value: string, dirMode = 0o700): Promise<unknown> => {
	const at = keyPath(file, key);
	const document = openDocument(file);
	let firstError: unknown;
	for (const reading of readings(value)) {
		document.setIn(at, document.createNode(reading));
		try {
			validateSettings(file, document.toJS());
			await save(file, document, dirMode);
			return reading;
		} catch (error) {
			if (!(error instanceof SettingsError)) throw error;
			firstError ??= error;
		}
	}
	throw firstError;
};

/** Removes KEY from FILE, and any map it leaves empty; false when it was not set. */
export const unsetSetting = async (file: string, key: string): Promise<boolean> => {
	const at = keyPath(file, key);
	const document = openDocument(file);
	if (!document.hasIn(at)) return false;
	document.deleteIn(at);
	for (let depth = at.length - 1; depth > 0; depth--) {
		const parent = document.getIn(at.slice(0, depth));
		if (isMap(parent) && parent.items.length === 0) document.deleteIn(at.slice(0, depth));
	}
	await save(file, document, 0o700);
	return true;
};
