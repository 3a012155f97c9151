// Live output, kept as a bounded tail per step: the full log is on disk, so
// memory stays flat however much a command prints.

export const TAIL_LINES = 500;

export interface TailLine {
	text: string;
	/** `meta` lines are Rampart's own (which block started), not the command's. */
	stream: 'stdout' | 'stderr' | 'meta';
}

export class OutputTails {
	private readonly tails = new Map<string, TailLine[]>();

	constructor(private readonly limit = TAIL_LINES) {}

	push(step: string, line: TailLine): void {
		let tail = this.tails.get(step);
		if (!tail) this.tails.set(step, (tail = []));
		tail.push(line);
		// Trim in batches: cheap even when lines arrive one by one.
		if (tail.length > this.limit * 1.2) tail.splice(0, tail.length - this.limit);
	}

	/** A piece of a command's output: only its last lines can stay, so only they are kept. */
	pushLines(step: string, lines: readonly string[], stream: 'stdout' | 'stderr'): void {
		for (let i = Math.max(0, lines.length - this.limit); i < lines.length; i++) this.push(step, {text: lines[i]!, stream});
	}

	get(step: string): readonly TailLine[] {
		const tail = this.tails.get(step) ?? [];
		return tail.length > this.limit ? tail.slice(-this.limit) : tail;
	}

	clear(step: string): void {
		this.tails.delete(step);
	}
}
