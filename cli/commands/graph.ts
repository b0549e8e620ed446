/**
 * `ivr graph <file> --format mermaid|dot [--out file]`: draws a machine, states grouped by screen (C0…C7).
 * Exit 0 on success; 1 when the machine has errors (they are printed); 2 for bad usage or an unreadable file.
 * Render dot to an image with Graphviz: `dot -Tsvg machine.dot -o machine.svg`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { usageOf, type CliCommand } from '../command';
import { renderDiagram, type DiagramFormat } from '../../lib/machine/diagram';
import { countErrors, formatDiagnostic } from '../../lib/machine/diagnostics';
import { checkMachineFile, type CheckResult } from '../../lib/machine/loader';

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export const command: CliCommand = {
  async run(argv) {
    const format = (option(argv, '--format') ?? 'mermaid') as DiagramFormat;
    const out = option(argv, '--out');
    const files = argv.filter((a, i) => !a.startsWith('-') && argv[i - 1] !== '--format' && argv[i - 1] !== '--out');
    const bad = argv.filter((a) => a.startsWith('-') && a !== '--format' && a !== '--out');
    if (files.length !== 1 || bad.length || (format !== 'mermaid' && format !== 'dot') || (argv.includes('--out') && !out)) {
      process.stderr.write(`ivr graph: name one machine file and a format (mermaid or dot)\nusage: ivr ${usageOf('graph')}\n`);
      return 2;
    }
    const file = files[0] as string;
    let result: CheckResult;
    try {
      result = checkMachineFile(file);
    } catch (e) {
      process.stderr.write(`ivr graph: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'EIO'})\n`);
      return 2;
    }
    if (!result.machine || countErrors(result.diagnostics) > 0) {
      for (const d of result.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      process.stderr.write(`ivr graph: ${file} has errors; run ivr check ${file}\n`);
      return 1;
    }
    const text = renderDiagram(result.machine, format);
    if (out) {
      fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      fs.writeFileSync(out, text);
      process.stderr.write(`ivr graph: wrote ${out}\n`);
    } else {
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') throw e; // `| head` closed the pipe: not an error of ours
      });
      process.stdout.write(text);
    }
    return 0;
  },
};
