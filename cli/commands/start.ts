/**
 * `ivr start` (what `npm start` runs): checks the shipped machines, then writes their Mermaid diagrams to
 * `.data/graphs/<file>.mmd` (or to stdout with --stdout). Exit 1 when a machine has errors. The local stack
 * (workers, backend, simulators) will be started from here later.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CliCommand } from '../command';
import { toMermaid } from '../../lib/machine/diagram';
import { formatDiagnostic } from '../../lib/machine/diagnostics';
import { checkFiles } from './check';
import { checkMachineFile } from '../../lib/machine/loader';

const root = path.join(__dirname, '..', '..');

export const command: CliCommand = {
  name: 'start',
  usage: 'start [--stdout]',
  summary: 'check the shipped machines and write their diagrams (.data/graphs)',
  async run(argv) {
    const machinesDir = path.join(root, 'machines');
    const files = fs
      .readdirSync(machinesDir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => path.relative(process.cwd(), path.join(machinesDir, f)));
    const { report, exitCode } = checkFiles(files);
    for (const d of report.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    for (const f of report.files) process.stderr.write(`ivr start: ${f.file}: ${f.readError ?? `${f.errors} error(s), ${f.warnings} warning(s)`}\n`);
    if (exitCode !== 0) return exitCode;
    const outDir = path.join(root, '.data', 'graphs');
    for (const file of files) {
      const machine = checkMachineFile(file).machine;
      if (!machine) continue;
      const text = toMermaid(machine);
      if (argv.includes('--stdout')) process.stdout.write(text + '\n');
      else {
        fs.mkdirSync(outDir, { recursive: true });
        const out = path.join(outDir, path.basename(file, '.yaml') + '.mmd');
        fs.writeFileSync(out, text);
        process.stderr.write(`ivr start: ${machine.name} ${machine.version} → ${path.relative(process.cwd(), out)}\n`);
      }
    }
    return 0;
  },
};
