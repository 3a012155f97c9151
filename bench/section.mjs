// How a section prints itself when run on its own (node bench/startup.mjs).

import {fileURLToPath} from 'node:url';
import {renderSection} from './report.mjs';

export const isMain = url => process.argv[1] === fileURLToPath(url);

export const printSection = section => process.stdout.write(renderSection(section) + '\n');
