/**
 * `ivr simulate <machine.yaml> --script <script.yaml> [--channel voice|web] [--via workflow|portal] [--json]`
 * `ivr simulate <machine.yaml> --scripts <folder> [--coverage] [--json]`
 *
 * Runs conversation scripts for real: a Temporal workflow on a Temporal server (TEMPORAL_ADDRESS or a dev server it
 * starts), the project's worker and backend API, and simulators for the peers that are not configured.
 * Exit 0 when every expect holds, 1 naming the first failing step, 2 for an invalid script or machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { simulateScripts } from '../simulate/simulate';

function fail2(message: string): number {
  process.stderr.write(`ivr simulate: ${message}\n`);
  return 2;
}

export const command: CliCommand = {
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          script: { type: 'string', multiple: true },
          scripts: { type: 'string' },
          channel: { type: 'string' },
          via: { type: 'string' },
          coverage: { type: 'boolean' },
          'save-histories': { type: 'string' },
          json: { type: 'boolean' },
        },
        strict: true,
      });
    } catch (err) {
      return fail2((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.channel && values.channel !== 'voice' && values.channel !== 'web') return fail2(`--channel is voice or web, not '${values.channel}'`);
    if (values.via && values.via !== 'workflow' && values.via !== 'portal') return fail2(`--via is workflow or portal, not '${values.via}'`);
    const scriptFiles = [...(values.script ?? [])];
    if (values.scripts) {
      if (!fs.existsSync(values.scripts)) return fail2(`no such folder: ${values.scripts}`);
      for (const f of fs.readdirSync(values.scripts).sort()) {
        if (/\.ya?ml$/.test(f)) scriptFiles.push(path.join(values.scripts, f));
      }
    }
    if (scriptFiles.length === 0) return fail2('give --script <file.yaml> or --scripts <folder>');
    if (values.coverage && !values.scripts && scriptFiles.length < 1) return fail2('--coverage needs scripts');

    return simulateScripts({
      machineArg: positionals[0],
      scriptFiles,
      channel: values.channel as 'voice' | 'web' | undefined,
      ...(values.via ? { via: values.via as 'workflow' | 'portal' } : {}),
      coverage: values.coverage === true,
      json: values.json === true,
      ...(values['save-histories'] ? { saveHistories: values['save-histories'] } : {}),
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  },
};
