// What the TUI does with a runbook once one is opened: read and check it,
// gate it on trust, resolve its inputs, run it. This is the heavy part of
// Rampart (the parser, the engine's run session with execa, the trust store),
// so it is loaded when the operator first opens a runbook, never before the
// home screen is drawn (see engine-services.ts).

import {existsSync} from 'node:fs';
import type {CliContext} from '../cli/context.js';
import {ensureRequirements, loadRunbook, loadRunbookFile} from '../cli/prepare-run.js';
import {currentOperator} from '../engine/operator.js';
import {resolveInputs} from '../engine/resolve-inputs.js';
import {RunSession} from '../engine/run-session.js';
import {approveRunbook, assessTrust} from '../trust/gate.js';
import type {TuiServices} from './services.js';

export type RunbookServices = Pick<
	TuiServices,
	'loadRunbook' | 'resolveInputs' | 'requirementProblems' | 'start' | 'resume' | 'abandon' | 'assessTrust' | 'approve'
>;

export const runbookServices = (ctx: CliContext, track: (session: RunSession) => RunSession): RunbookServices => {
	const stateDir = () => ctx.stateDir();
	return {
		loadRunbook: async ref => (ref.endsWith('.md') && existsSync(ref) ? loadRunbookFile(ref) : loadRunbook(ctx, ref)),
		resolveInputs: (runbook, given) => resolveInputs(runbook, given, ctx.env),
		requirementProblems: runbook => {
			try {
				ensureRequirements(runbook, ctx.env);
				return [];
			} catch (error) {
				return (error as Error).message.split('\n').slice(1).map(l => l.trim());
			}
		},
		start: (runbook, inputs) => track(RunSession.start({runbook, inputs, stateDir: stateDir(), env: ctx.env, cwd: ctx.cwd})),
		resume: (runbook, runId, inputs) => track(RunSession.resume({runbook, inputs, stateDir: stateDir(), runId, env: ctx.env})),
		abandon: (runbook, run) => {
			const session = RunSession.resume({runbook, inputs: run.state.inputs, stateDir: stateDir(), runId: run.runId, env: ctx.env});
			session.finish('stopped', 'the operator started over');
		},
		assessTrust: runbook => assessTrust(runbook, {stateDir: stateDir(), env: ctx.env}),
		approve: runbook => {
			approveRunbook(runbook, stateDir(), currentOperator(ctx.env));
		},
	};
};
