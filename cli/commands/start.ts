/**
 * `ivr start` (what `npm start` runs): checks the shipped machines and writes their diagrams, then brings up the
 * local stack on embedded defaults: a Temporal dev server with its Web UI (persisted to .data/temporal.db), the codec
 * server the UI decrypts payloads through, the Odoo / Brevo / OpenAI-compatible simulators for peers that are not
 * configured, the backend API and the session worker. Ctrl-C stops all of it.
 *   --check-only   stop after the checks and diagrams (exit 1 when a machine has errors)
 *   --stdout       print the diagrams instead of writing .data/graphs
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CliCommand } from '../command';
import { toMermaid } from '../../lib/machine/diagram';
import { formatDiagnostic } from '../../lib/machine/diagnostics';
import { checkFiles } from './check';
import { checkMachineFile } from '../../lib/machine/loader';

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

async function runStack(): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stack is heavy: load it only to run it
  const { startLocalStack } = require('../../lib/stack/local-stack') as typeof import('../../lib/stack/local-stack');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startCodecServer } = require('../../lib/codec/codec-server') as typeof import('../../lib/codec/codec-server');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadKeyring } = require('../../lib/codec/keys') as typeof import('../../lib/codec/keys');

  const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
  const codecPort = Number(process.env.CODEC_SERVER_PORT ?? 8888);
  const apiPort = Number(process.env.PORT ?? 3000);
  const temporalPort = Number(process.env.TEMPORAL_PORT ?? 7233);
  const uiOrigins = [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`];
  const codec = await startCodecServer({ port: codecPort, keyring: loadKeyring(), allowedOrigins: uiOrigins });
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({
      temporal: {
        port: temporalPort,
        uiPort,
        dbFilename: path.join(root, '.data', 'temporal.db'),
        uiCodecEndpoint: `http://127.0.0.1:${codecPort}`,
      },
      apiPort,
      apiStoreDir: path.join(root, '.data', 'api-store'),
    });
  } catch (err) {
    await codec.close();
    throw err;
  }
  const banner = [
    '',
    'care-ivr local stack is running:',
    ...stack.describe().map((l) => `  ${l}`),
    `  Temporal UI   http://localhost:${uiPort} (payloads decrypted through the codec server on :${codecPort})`,
    '',
    'Try it:',
    `  npx ivr call --temporal ${stack.temporal.address}        # a phone call from this terminal (type keys or phrases, q hangs up)`,
    `  TEMPORAL_ADDRESS=${stack.temporal.address} npx ivr simulate machines/rdv-ivr.yaml --scripts test/journeys/scripts`,
    '    (the sessions then show in the Temporal UI; filter them with IvrState, IvrOutcome, IvrCallerHash…)',
    `  curl -s ${stack.apiUrl}/healthz`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(banner.join('\n'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('\nstopping…\n');
  await stack.stop();
  await codec.close();
  return 0;
}

export const command: CliCommand = {
  name: 'start',
  usage: 'start [--check-only] [--stdout]',
  summary: 'check the machines, draw them, then run the local stack (Temporal + UI, API, worker, simulators)',
  async run(argv) {
    const checked = checkAndDraw(argv);
    if (checked !== 0 || argv.includes('--check-only')) return checked;
    return runStack();
  },
};
