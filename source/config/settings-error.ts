// A configuration file Rampart cannot use. Its own small module (no yaml, no
// zod) so the CLI's error printer can recognise it without loading either.

/** A settings file that does not parse or does not fit the schema: names the file and the key. */
export class SettingsError extends Error {
	constructor(
		readonly file: string,
		readonly key: string | undefined,
		problem: string,
	) {
		super(`${file}: ${key ? `${key}: ` : ''}${problem}`);
		this.name = 'SettingsError';
	}
}
