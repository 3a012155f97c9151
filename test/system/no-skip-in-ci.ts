// In CI a system test that cannot run is a failure, never a silent skip:
// .ci/run installs everything they need, so a skip there means a missing
// install step. Outside CI (a developer without root), skips stay skips.

import type {Reporter, TestModule} from 'vitest/node';

export default class NoSkipInCi implements Reporter {
	onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
		if (!process.env.CI) return;
		const skipped = testModules.flatMap(m => [...m.children.allTests()].filter(t => t.result().state === 'skipped').map(t => `${m.moduleId}: ${t.fullName}`));
		if (skipped.length === 0) return;
		console.error(`\n${skipped.length} system test(s) skipped in CI, which counts as a failure (see .ci/apt-packages.txt):\n${skipped.map(s => `  ${s}`).join('\n')}`);
		process.exitCode = 1;
	}
}
