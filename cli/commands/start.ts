/**
 * `ivr start` (what `npm start` runs): checks the shipped machines and writes their diagrams, then brings up the
 * local stack on embedded defaults: a Temporal dev server with its Web UI (persisted to .data/temporal.db), the codec
 * server the UI decrypts payloads through, the Odoo / Brevo / OpenAI-compatible simulators for peers that are not
 * configured, the backend API and the session worker. Each part is a supervised child process (stack/): one
 * that dies is restarted, and Ctrl-C (or the end of this process, however it ends) leaves none behind.
 * Ports: TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233), CODEC_SERVER_PORT (8888), PORT (3000); one already taken
 * is an error naming it. HOST opens the API, codec server and simulators beyond 127.0.0.1. The codec server needs
 * CODEC_SERVER_TOKEN from command-line clients; one is made and printed when it is unset.
 *   --check-only   stop after the checks and diagrams (exit 1 when a machine has errors)
 *   --stdout       print the diagrams instead of writing .data/graphs
 *   --data-dir d   keep the dev server's database and the API's store in d (default .data)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CliCommand } from '../command';
import { toMermaid } from '../../lib/machine/diagram';
import { formatDiagnostic } from '../../lib/machine/diagnostics';
import { checkFiles } from './check';
import { checkMachineFile } from '../../lib/machine/loader';
import { startSupervisedStack } from '../../stack/supervised-stack';

const root = path.join(__dirname, '..', '..');

function checkAndDraw(argv: string[]): number {
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
}

/** CODEC_SERVER_TOKEN when set (at least 16 characters), else a random one made for this run. */
function codecToken(env: NodeJS.ProcessEnv): { token: string; made: boolean } {
  const given = env.CODEC_SERVER_TOKEN?.trim();
  if (given) {
    if (given.length < 16) throw new Error('CODEC_SERVER_TOKEN must be at least 16 characters (e.g. `openssl rand -base64 24`); unset it to have one made for this run');
    return { token: given, made: false };
  }
  return { token: crypto.randomBytes(24).toString('base64url'), made: true };
}

const portSchema = z.coerce.number().int().min(1).max(65535);

function portsFromEnv(env: NodeJS.ProcessEnv): { temporal: number; ui: number; codec: number; api: number } {
  const read = (name: string, def: number): number => {
    const parsed = portSchema.safeParse(env[name] ?? def);
    if (!parsed.success) throw new Error(`${name}=${env[name]} is not a port (1-65535)`);
    return parsed.data;
  };
  return { temporal: read('TEMPORAL_PORT', 7233), ui: read('TEMPORAL_UI_PORT', 8233), codec: read('CODEC_SERVER_PORT', 8888), api: read('PORT', 3000) };
}

async function runStack(argv: string[]): Promise<number> {
  const env = process.env;
  const at = argv.indexOf('--data-dir');
  const dataDir = at >= 0 && argv[at + 1] ? path.resolve(argv[at + 1]!) : path.join(root, '.data');
  const ports = portsFromEnv(env);
  const { token, made } = codecToken(env);
  const host = env.HOST?.trim() || '127.0.0.1';

  let stack: Awaited<ReturnType<typeof startSupervisedStack>> | undefined;
  let stopping = false;
  // The supervisor's last act, whatever ends it: no part outlives it (they also watch their IPC channel).
  process.on('exit', () => stack?.supervisor.killAllNow());
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      if (stopping) {
        // Second Ctrl-C: no more waiting.
        stack?.supervisor.killAllNow();
        process.exit(130);
      }
      stopping = true;
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
  });

  try {
    stack = await startSupervisedStack({ dataDir, ports, host, codecToken: token, env });
  } catch (err) {
    process.stderr.write(`ivr start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const temporal = stack.temporalAddress;
  const pids = Object.entries(stack.pids()).map(([name, list]) => `${name} ${list.join('+')}`);
  const auth = made ? `Bearer ${token}` : 'Bearer $CODEC_SERVER_TOKEN';
  const banner = [
    '',
    'care-ivr local stack is running:',
    ...stack.describe().map((l) => `  ${l}`),
    ...(stack.uiUrl ? [`  Temporal UI   ${stack.uiUrl} (payloads decrypted through the codec server on :${ports.codec})`] : []),
    `  Supervised    ${pids.join(', ')} (a part that dies is restarted; Ctrl-C stops them all)`,
    '',
    'Try it:',
    `  npx ivr call --temporal ${temporal}${stack.brevoSimulatorUrl ? ` --brevo ${stack.brevoSimulatorUrl}` : ''}   # a phone call from this terminal (type keys or phrases, q hangs up${stack.brevoSimulatorUrl ? '; shows the SMS codes' : ''})`,
    `  TEMPORAL_ADDRESS=${temporal} npx ivr simulate machines/rdv-ivr.yaml --scripts test/journeys/scripts`,
    '    (the sessions then show in the Temporal UI; filter them with IvrState, IvrOutcome, IvrCallerHash…)',
    `  curl -s ${stack.apiUrl}/healthz`,
    `  curl -s -H "Authorization: Bearer ${env.IVR_OPERATOR_TOKEN?.trim() ? '$IVR_OPERATOR_TOKEN' : stack.operatorToken}" '${stack.apiUrl}/crm/contacts?limit=5'   # operator routes need an operator token (this is the stack's own)`,
    '',
    'Read a session in clear from the command line (the codec server answers only the UI and this token):',
    `  .tools/temporal/bin/temporal workflow show --address ${temporal} -w <workflow id> --codec-endpoint ${stack.codecUrl} --codec-auth "${auth}"`,
    made
      ? '  (token made for this run; set CODEC_SERVER_TOKEN to keep one across runs, or TEMPORAL_CODEC_AUTH to keep it off the command line)'
      : '  (the token is your CODEC_SERVER_TOKEN; TEMPORAL_CODEC_AUTH="Bearer …" keeps it off the command line)',
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(banner.join('\n'));
  await stopped;
  process.stdout.write('\nstopping…\n');
  await stack.stop();
  return 0;
}

export const command: CliCommand = {
  async run(argv) {
    const checked = checkAndDraw(argv);
    if (checked !== 0 || argv.includes('--check-only')) return checked;
    return runStack(argv);
  },
};
