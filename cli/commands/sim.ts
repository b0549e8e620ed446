/**
 * `ivr sim <peer> …`: runs one simulator of a peer standalone (odoo, brevo, esl, openai).
 * Each simulator lives in sim/<peer>/ and exports `runStandalone(argv)` from sim/<peer>/standalone.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CliCommand } from '../command';

const simRoot = path.join(__dirname, '..', '..', 'sim');

function available(): string[] {
  if (!fs.existsSync(simRoot)) return [];
  return fs
    .readdirSync(simRoot)
    .filter((d) => fs.existsSync(path.join(simRoot, d, 'standalone.ts')))
    .sort();
}

export const command: CliCommand = {
  name: 'sim',
  usage: 'sim <odoo|brevo|esl|openai> [--port <p>] …',
  summary: 'run a simulator of a peer standalone',
  async run(argv) {
    const [peer, ...rest] = argv;
    const peers = available();
    if (!peer || !peers.includes(peer)) {
      process.stderr.write(`ivr sim: name a simulator: ${peers.join(', ') || '(none built yet)'}\n`);
      return 2;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(simRoot, peer, 'standalone.ts')) as { runStandalone(argv: string[]): Promise<number> };
    return mod.runStandalone(rest);
  },
};
