import {defineConfig} from 'vitest/config';

// System tests change the machine (firewall, users, services) inside private
// namespaces; they run only as root on Linux and one file at a time.
export default defineConfig({
	test: {
		include: ['test/system/**/*.test.ts'],
		testTimeout: 300_000,
		hookTimeout: 300_000,
		fileParallelism: false,
		// In CI a skipped system test fails the run (test/system/no-skip-in-ci.ts).
		reporters: ['default', './test/system/no-skip-in-ci.ts'],
	},
});
