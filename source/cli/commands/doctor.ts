import {doctorHost, requiredMissing, runDoctor, type DoctorCheck} from '../../doctor/checks.js';
import {EXIT} from '../exit-codes.js';
import type {CliContext} from '../context.js';

const LABEL: Record<DoctorCheck['status'], string> = {ok: 'OK', missing: 'missing', warning: 'warning'};
const HEADING: Record<DoctorCheck['group'], string> = {tools: 'Tools', state: 'Records', runbooks: 'Runbooks (requires:)'};

/** `rampart doctor`: one line per check, the fix under it; exit 3 when something required is missing. */
export const doctorCommand = (ctx: CliContext, options: {json?: boolean}): number => {
	const checks = runDoctor(doctorHost(ctx.env, ctx.cwd));
	const failed = requiredMissing(checks);
	if (options.json) {
		ctx.out(JSON.stringify({ok: !failed, checks}, null, 2));
		return failed ? EXIT.requirements : EXIT.ok;
	}
	const width = Math.max(...checks.map(c => c.name.length));
	for (const group of Object.keys(HEADING) as Array<DoctorCheck['group']>) {
		ctx.out(`${HEADING[group]}:`);
		for (const check of checks.filter(c => c.group === group)) {
			ctx.out(`  ${LABEL[check.status].padEnd(8)}${check.name.padEnd(width)}  ${check.found ? `${check.found}: ` : ''}${check.detail}`);
			if (check.fix) ctx.out(`  ${''.padEnd(8 + width)}  fix: ${check.fix}`);
		}
	}
	ctx.out(failed ? '\nSomething Rampart needs is missing (see "missing" above).' : '\nEverything Rampart needs is here.');
	return failed ? EXIT.requirements : EXIT.ok;
};
