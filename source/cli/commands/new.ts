import {existsSync, mkdirSync, statSync, writeFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {userRunbooksDir} from '../../runbook/discover.js';
import {usageError} from '../errors.js';
import type {CliContext} from '../context.js';

const ID = /^[a-z0-9][a-z0-9-]*$/;

/** A runbook that lints clean and shows each part of the format once. */
export const runbookTemplate = (id: string, title: string): string => `---
title: ${JSON.stringify(title)}
summary: What this runbook does, in one sentence.
tags: [example]
# every: 90d            # for a periodic checklist
requires:
  root: false
  commands: [bash]
inputs:
  TARGET_DIR:
    type: path
    prompt: Directory to work in
    default: /tmp/${id}
---

# ${title}

Say here who this is for, what it changes and how long it takes.
Inputs reach commands only as environment variables: always write "$TARGET_DIR".

## Create the directory

Each \`##\` heading is a step. A \`check\` block that passes means the step is
already done; \`verify\` proves it worked; \`rollback\` undoes it.

\`\`\`sh {role=check}
test -d "$TARGET_DIR"
\`\`\`

\`\`\`sh
mkdir -p -- "$TARGET_DIR"
\`\`\`

\`\`\`sh {role=verify}
test -d "$TARGET_DIR"
\`\`\`

\`\`\`sh {role=rollback}
rmdir -- "$TARGET_DIR"
\`\`\`

## Confirm by hand

Task items are ticked one by one, and each tick is recorded.

- [ ] Someone else knows this change was made
`;

/** `rampart new <id>`: a new runbook from a template. */
export const newCommand = async (ctx: CliContext, id: string, options: {path?: string; title?: string}): Promise<number> => {
	if (!ID.test(id)) throw usageError(`"${id}" is not a good runbook id: use lowercase letters, digits and dashes, e.g. nightly-backup-check`);
	let file: string;
	if (options.path) {
		const target = resolve(ctx.cwd, options.path);
		file = existsSync(target) && statSync(target).isDirectory() ? join(target, `${id}.md`) : target;
	} else {
		file = join(userRunbooksDir(ctx.env), `${id}.md`);
	}
	if (existsSync(file)) throw usageError(`${file} already exists; nothing was written`);
	mkdirSync(dirname(file), {recursive: true, mode: 0o700});
	const title =
		options.title ??
		id
			.split('-')
			.map(w => w.charAt(0).toUpperCase() + w.slice(1))
			.join(' ');
	writeFileSync(file, runbookTemplate(id, title), {flag: 'wx', mode: 0o644});
	ctx.out(file);
	ctx.err(`rampart: created ${file}\nEdit it, check it with: rampart lint ${file}\nthen run it with: rampart run ${file}`);
	return 0;
};
