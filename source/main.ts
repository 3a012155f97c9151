// Rampart's entry point: parse arguments, run one command, exit once.
import {runCli} from './cli/program.js';

const code = await runCli(process.argv.slice(2));
// Let pending writes to stdout/stderr drain instead of calling process.exit().
process.exitCode = code;
