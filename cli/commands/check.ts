/**
 * `ivr check <files…> [--json]`: loads and checks machine files like a compiler.
 * Exit 0: no errors (warnings allowed); 1: at least one error (a file over the size limit, an alias bomb or nesting
 * too deep is an error of that file, with its code); 2: bad usage or a file that cannot be read.
 */
import { usageOf, type CliCommand } from '../command';
import { checkMachineFile, type CheckResult as MachineCheck } from '../../lib/machine/loader';
import { countErrors, formatDiagnostic, type Diagnostic } from '../../lib/machine/diagnostics';
import { outcomeSummary, type OutcomeSummary } from '../../lib/machine/outcome-summary';
import { describeWaiting } from '../../workflows/shell/waiting';

export interface CheckReport {
  ok: boolean;
  files: { file: string; machine?: string; version?: string; sha256?: string; errors: number; warnings: number; readError?: string; waiting?: { voice: string; web: string }; outcomes?: OutcomeSummary }[];
  diagnostics: Diagnostic[];
}

export function checkFiles(files: string[]): { report: CheckReport; exitCode: number } {
  const report: CheckReport = { ok: true, files: [], diagnostics: [] };
  let unreadable = false;
  for (const file of files) {
    let result: MachineCheck;
    try {
      result = checkMachineFile(file);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.syscall === undefined) {
        // Not the file system: the checker itself failed. Say so, on this file, rather than call it unreadable.
        result = { diagnostics: [{ severity: 'error', code: 'checker-failure', message: `the checker failed on this file (${err.name}: ${err.message}).`, file, line: 1, column: 1 }] };
      } else {
        unreadable = true;
        report.files.push({ file, errors: 0, warnings: 0, readError: `${err.code ?? 'EIO'}: cannot read ${file} (${err.message.replace(/^[A-Z]+: /, '').split(',')[0]})` });
        continue;
      }
    }
    const errors = countErrors(result.diagnostics);
    const entry: CheckReport['files'][number] = { file, errors, warnings: result.diagnostics.length - errors };
    if (result.machine) {
      entry.machine = result.machine.name;
      entry.version = result.machine.version;
      entry.sha256 = result.machine.source.sha256;
      entry.waiting = describeWaiting(result.machine.globals);
      entry.outcomes = outcomeSummary(result.machine);
    }
    report.files.push(entry);
    report.diagnostics.push(...result.diagnostics);
  }
  const errors = countErrors(report.diagnostics);
  report.ok = errors === 0 && !unreadable;
  return { report, exitCode: unreadable ? 2 : errors > 0 ? 1 : 0 };
}

export const command: CliCommand = {
  async run(argv) {
    const json = argv.includes('--json');
    const unknown = argv.filter((a) => a.startsWith('-') && a !== '--json');
    const files = argv.filter((a) => !a.startsWith('-'));
    if (unknown.length || files.length === 0) {
      process.stderr.write(`ivr check: ${unknown.length ? `unknown option ${unknown.join(' ')}` : 'name at least one machine file'}\nusage: ivr ${usageOf('check')}\n`);
      return 2;
    }
    const { report, exitCode } = checkFiles(files);
    // A reader that stops early (`| head`) must not turn the report into a stack trace.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
    if (json) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return exitCode;
    }
    const lines = report.diagnostics.map(formatDiagnostic);
    for (const f of report.files) {
      if (f.readError) process.stderr.write(`ivr check: ${f.readError}\n`);
      else lines.push(`${f.file}: ${f.errors} error(s), ${f.warnings} warning(s)${f.machine ? ` — ${f.machine} ${f.version}` : ''}`);
      if (f.waiting) lines.push(`  waiting — voice: ${f.waiting.voice}`, `  waiting — web: ${f.waiting.web}`);
      if (f.outcomes) {
        lines.push(`  outcomes — goal reached: ${f.outcomes.reached.join(', ') || '(none)'}`, `  outcomes — goal not reached: ${f.outcomes.notReached.join(', ') || '(none)'}`);
        if (f.outcomes.undeclared) lines.push('  outcomes — none written: a normal ending is "completed" with an unknown goal; add outcomes: and outcome: on the branches that end (machines/README.md)');
      }
    }
    process.stdout.write(lines.join('\n') + '\n');
    return exitCode;
  },
};
