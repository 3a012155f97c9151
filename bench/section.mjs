// How a section prints itself when run on its own (node bench/startup.mjs),
// with the machine's load while it ran: from when the section's module was
// loaded to when it prints.

import {loadavg} from 'node:os';
import {fileURLToPath} from 'node:url';
import {renderSection} from './report.mjs';

const loadAtImport = loadavg();

export const isMain = url => process.argv[1] === fileURLToPath(url);

export const printSection = section => process.stdout.write(renderSection({load: {before: loadAtImport, after: loadavg()}, ...section}) + '\n');
