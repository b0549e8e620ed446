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

function isStandalone(mod: unknown): mod is { runStandalone(argv: string[]): Promise<number> } {
  return typeof mod === 'object' && mod !== null && 'runStandalone' in mod && typeof mod.runStandalone === 'function';
}

export const command: CliCommand = {
  async run(argv) {
    const [peer, ...rest] = argv;
    const peers = available();
    if (!peer || !peers.includes(peer)) {
      process.stderr.write(`ivr sim: name a simulator: ${peers.join(', ') || '(none built yet)'}\n`);
      return 2;
    }
    // The peer is named on the command line (one of the folders listed above): only its simulator is loaded.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module chosen at run time; tsx compiles .ts for require(), not import()
    const mod: unknown = require(path.join(simRoot, peer, 'standalone.ts'));
    if (!isStandalone(mod)) {
      process.stderr.write(`ivr sim: sim/${peer}/standalone.ts does not export runStandalone(argv); export it to run this simulator standalone\n`);
      return 2;
    }
    return mod.runStandalone(rest);
  },
};
