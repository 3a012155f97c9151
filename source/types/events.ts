// The one stream every part of Rampart speaks, and the records made of it.
// The bottom layer: imported by every other, importing nothing.
// The engine emits these; the journal persists the `RunEvent`s; the run's
// state is a fold over them. Output lines are live only: they go to step
// logs on disk, not the journal.

/** What a code block is for (see docs/runbook-format.md). */
export const BLOCK_ROLES = ['run', 'check', 'verify', 'rollback'] as const;
export type BlockRole = (typeof BLOCK_ROLES)[number];

export interface Operator {
	user: string;
	uid: number;
	host: string;
	/** `$SSH_CLIENT` of the operator's session, when there is one. */
	sshClient?: string;
	tty?: string;
}

/** The host a run's blocks ran on over SSH (a fleet run has one run per host). */
export interface HostTarget {
	/** The name the operator gave (inventory or --host); the run's records are kept under it. */
	host: string;
	/** What ssh connected to (ansible_host, or the name). */
	destination: string;
	/** The host's address as it answered, and the operator's as the host saw it. */
	address?: string;
	clientAddress?: string;
	port?: number;
	user?: string;
	/** The host key the connection was checked against (`ssh-ed25519 SHA256:…`). */
	hostKey?: string;
	/** Blocks ran through sudo -n. */
	become?: boolean;
	/** The fleet run this host's run belongs to. */
	fleet?: string;
}

export type StepStatus =
	| 'pending'
	| 'running'
	| 'done'
	| 'already-done'
	| 'skipped'
	| 'failed'
	/** Carried out, but a check found something the step cannot fix: an audit finding. */
	| 'attention'
	| 'timed-out'
	| 'cancelled'
	| 'interrupted'
	| 'rolled-back';

/** `needs-attention`: every step settled, some with findings (exit 1). */
export type RunOutcome = 'completed' | 'needs-attention' | 'failed' | 'stopped' | 'rolled-back';

/** How Rampart's own lines in a step log begin (`# rampart: exit 3, 12 ms`), so views can tell them from the output. */
export const LOG_NOTE_PREFIX = '# rampart:';

export interface LogRef {
	/** Path relative to the state directory. */
	path: string;
	sha256: string;
	bytes: number;
	/** True when the log hit the size limit and later output was dropped. */
	truncated?: boolean;
}

/** Fields every journaled event has; filled in by the engine when it emits. */
export interface EventBase {
	runId: string;
	/** ISO 8601 time the event happened. */
	time: string;
}

export type RunEventBody =
	| {
			type: 'run-started';
			runbook: {id: string; path: string; sha256: string; title: string; every?: string};
			operator: Operator;
			rampartVersion: string;
			/** Input values; secret inputs appear only as their name in `secrets`. */
			inputs: Record<string, string>;
			secrets: string[];
			/** Each step with the SHA-256 of its Markdown, to tell on resume which steps changed. */
			steps: Array<{id: string; title: string; sha256: string}>;
			cwd: string;
			mode: 'run' | 'check';
			/** Set when the blocks run on another host over SSH. */
			target?: HostTarget;
	  }
	| {
			type: 'run-resumed';
			operator: Operator;
			rampartVersion: string;
			/** SHA-256 of the runbook file at resume time. */
			runbookSha256: string;
			/** Ids of steps whose content differs from the run's original runbook. */
			changedSteps: string[];
			/** For a run on another host: the connection this resume reached it by. */
			target?: HostTarget;
	  }
	| {
			type: 'step-started';
			step: string;
			attempt: number;
			/** The operator chose to run again a step that was cut off mid-way (see step-rules.ts). */
			rerun?: 'interrupted';
	  }
	| {
			type: 'block-started';
			step: string;
			block: number;
			role: BlockRole;
			name?: string;
			/** The block's process group, so a resume can tell whether it outlived a crash. */
			pgid?: number;
			host?: string;
			/** The process group is on the remote host `host` (see HostTarget), not here. */
			remote?: boolean;
	  }
	| {
			type: 'block-finished';
			step: string;
			block: number;
			role: BlockRole;
			exitCode: number | null;
			signal?: string;
			timedOut: boolean;
			cancelled: boolean;
			durationMs: number;
	  }
	| {
			type: 'step-finished';
			step: string;
			attempt: number;
			status: Extract<StepStatus, 'done' | 'attention' | 'failed' | 'timed-out' | 'cancelled'>;
			/** The exit code that decided the outcome, when a block decided it. */
			exitCode?: number | null;
			log?: LogRef;
			error?: string;
			/** With `attention`: what the step's checks found, in words. */
			findings?: string[];
	  }
	| {
			/** The step's check blocks ran (before its run blocks, or on their own). */
			type: 'check-finished';
			step: string;
			passed: boolean;
			log?: LogRef;
			/** A failing check marked `finding` (or an audit step's check): what it found. */
			finding?: string;
			/** The operator stopped the check: it decided nothing. */
			cancelled?: boolean;
	  }
	| {type: 'step-already-done'; step: string}
	| {type: 'step-skipped'; step: string; reason: string}
	| {type: 'task-ticked'; step: string; task: number; text: string}
	| {type: 'step-acknowledged'; step: string}
	| {type: 'note-added'; step?: string; text: string}
	| {type: 'rollback-started'; steps: string[]}
	| {type: 'step-rolled-back'; step: string; ok: boolean; log?: LogRef}
	| {type: 'run-finished'; outcome: RunOutcome; reason?: string}
	/** Something the operator should know that is not a step's outcome, e.g. the disk filling up. */
	| {
			type: 'warning';
			step?: string;
			message: string;
			/** Processes of the step still running after its block was stopped (none is hidden). */
			survivors?: number[];
	  };

export type RunEvent = EventBase & RunEventBody;
export type RunEventType = RunEventBody['type'];

/**
 * Live output; never journaled (the step log on disk holds it as the command
 * wrote it, as UTF-8 text: an invalid byte is stored as U+FFFD).
 * One event per piece the command wrote, so a flood costs a few events per
 * 64 KiB, not one per line.
 */
export interface OutputLines {
	type: 'output';
	runId: string;
	step: string;
	block: number;
	stream: 'stdout' | 'stderr';
	/** Milliseconds since the epoch. */
	time: number;
	/**
	 * The lines as a terminal shows them (source/output/terminal-text.ts), secrets masked:
	 * no control sequence but colours (SGR), which views that cannot show them strip.
	 */
	lines: string[];
}

export type EngineEvent = RunEvent | OutputLines;
