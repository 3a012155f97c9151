import type {CliContext} from '../context.js';
import {gatherInputs, loadRunbook} from '../prepare-run.js';
import {inputError, trustOf} from '../open-run.js';
import {resolveInputs} from '../../engine/resolve-inputs.js';
import {checkSecretSources} from '../../engine/open-run.js';
import {usageError} from '../errors.js';
import {blockEnvironment} from '../../engine/block-env.js';
import {MASK} from '../../engine/mask.js';
import {stepKind} from '../../engine/run-session.js';
import {checkRequirements, currentHost} from '../../engine/requirements.js';

export interface PlanOptions {
	input?: string[];
	inputs?: string;
	json?: boolean;
	check?: boolean;
}

/** `rampart run --dry-run`: what would run, with which environment; runs nothing, records nothing. */
export const planCommand = async (ctx: CliContext, ref: string, options: PlanOptions): Promise<number> => {
	const runbook = await loadRunbook(ctx, ref);
	const given = gatherInputs(ctx, options.input ?? [], options.inputs);
	// The same rule as a run: a plan is no way around it.
	const exposed = checkSecretSources(runbook, given.sources);
	if (exposed) throw usageError(exposed.message, exposed.hint);
	const {values, problems} = resolveInputs(runbook, given.values, ctx.env);
	if (problems.length > 0) throw inputError(runbook, problems);
	const secrets = new Set(runbook.meta.inputs.filter(i => i.type === 'secret').map(i => i.name));
	const shown = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, secrets.has(k) ? MASK : v]));
	// Requirements are reported, not enforced: a plan is useful anywhere.
	const requirementProblems = checkRequirements(runbook.meta.requires, currentHost(ctx.env)).map(p => p.message);
	// Shown, not required: a plan runs nothing, so it is how a runbook is read before approving it.
	const assessed = trustOf(ctx, runbook);
	const trust = assessed.status;
	const uid = process.getuid?.() ?? -1;
	const fileTrust = assessed.fileProblems.map(p => p.message);
	const steps = runbook.steps.map(step => ({
		id: step.id,
		title: step.title,
		kind: stepKind(step),
		tasks: step.tasks.map(t => t.text),
		blocks: step.blocks
			.filter(b => b.runnable && (!options.check || b.role === 'check' || b.role === 'verify'))
			.map(b => ({
				role: b.role,
				name: b.name,
				code: b.code,
				confirm: b.confirm,
				interactive: b.interactive,
				timeoutMs: b.timeoutMs,
				cwd: b.cwd ?? ctx.cwd,
				// Only the inputs the block gets (secrets only where named), masked.
				inputs: Object.keys(blockEnvironment({}, runbook.meta.inputs, values, b)).filter(k => k in values),
			})),
	}));
	if (options.json) {
		ctx.out(
			JSON.stringify(
				{
					runbook: {id: runbook.id, title: runbook.meta.title, path: runbook.path, sha256: runbook.sha256},
					inputs: shown,
					requirements: requirementProblems,
					trust: {status: trust.kind, fileProblems: fileTrust},
					steps,
				},
				null,
				2,
			),
		);
		return 0;
	}
	ctx.out(`Plan for ${runbook.meta.title} (${runbook.path}) — nothing will run.`);
	if (requirementProblems.length) ctx.out(`Requirements NOT met here:\n${requirementProblems.map(p => `  ${p}`).join('\n')}`);
	ctx.out(`Trust: ${assessed.summary}${trust.kind === 'new' || trust.kind === 'changed' ? ` (rampart approve ${runbook.path})` : ''}.`);
	if (fileTrust.length) ctx.out(`File permissions${uid === 0 ? ' (root refuses to run it until fixed)' : ''}:\n${fileTrust.map(p => `  ${p}`).join('\n')}`);
	ctx.out('\nInputs (passed as environment variables):');
	for (const [k, v] of Object.entries(shown)) ctx.out(`  ${k}=${JSON.stringify(v)}`);
	steps.forEach((step, i) => {
		ctx.out(`\n[${i + 1}/${steps.length}] ${step.title}  (${step.kind})`);
		for (const task of step.tasks) ctx.out(`    - [ ] ${task}`);
		for (const b of step.blocks) {
			const flags = [b.confirm && 'confirm', b.interactive && 'interactive', b.timeoutMs && `timeout ${b.timeoutMs} ms`].filter(Boolean).join(', ');
			ctx.out(`    ${b.role}${b.name ? ` "${b.name}"` : ''}${flags ? ` [${flags}]` : ''} in ${b.cwd}${b.inputs.length ? ` with ${b.inputs.join(', ')}` : ''}:`);
			for (const line of b.code.split('\n')) ctx.out(`      ${line}`);
		}
	});
	return 0;
};
