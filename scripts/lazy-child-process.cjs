// Stands in for node:child_process inside commander (scripts/build.mjs):
// commander requires it as it loads, for executable subcommands, which
// Rampart has none of, and loading it costs every command ~1.5 ms of start-up.
// It is loaded here only if something is actually used from it.
let childProcess;
module.exports = new Proxy({}, {get: (_, key) => (childProcess ??= require('node:child_process'))[key]});
