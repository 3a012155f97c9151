import {frontMatter, sh} from './helpers.js';

export const DEMO =
	frontMatter(
		'Demo site',
		`tags: [web, demo]
inputs:
  DOMAIN:
    type: domain
    prompt: Domain of the site
  PORT:
    type: port
    prompt: Port
    default: 8080
  TOKEN:
    type: secret
    prompt: API token
    optional: true
`,
	) +
	`## Say hello

Prints **hello** with the \`DOMAIN\`.

${sh('echo "hello $DOMAIN:$PORT"\necho "to stderr" >&2')}
## Dangerous

${sh('echo "confirmed $DOMAIN"', 'confirm=DOMAIN name="Reload everything"')}
## Manual checks

- [ ] First item
- [ ] Second item

## Optional

${sh('echo optional')}
## Read this

Only read it.
`;

export const FAILING =
	frontMatter('Failing') +
	`## Breaks

${sh('echo about to fail\nexit 3')}
${sh('echo undone', 'role=rollback')}
## Slow

${sh('echo started; sleep 30')}
## Checked

${sh('true', 'role=check')}
${sh('echo should not run')}
`;

export const NOISY =
	frontMatter('Noisy') +
	`## Print a lot

${sh('for i in $(seq 1 20000); do echo "line $i"; done')}
`;
