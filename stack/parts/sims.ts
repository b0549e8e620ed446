/** The simulators of the peers that are not configured, through the one fallback policy (peers.ts). */
import { z } from 'zod';
import { PEER_NAMES, startSimulator, type SimulatorFacts, type StartedSimulator } from '../peers';
import { parse, port, type PartRunner } from './common';

export const simsConfigSchema = z.object({
  host: z.string().min(1),
  odoo: z.object({ port, fixtures: z.string().min(1) }).optional(),
  brevo: z.object({ port }).optional(),
  openai: z.object({ port }).optional(),
});

/** Starts the simulators asked for, through the one fallback policy (peers.ts); reports their facts as JSON. */
export const run: PartRunner = async (config) => {
  const cfg = parse('sims', simsConfigSchema, config);
  const started: StartedSimulator[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    for (const peer of PEER_NAMES) {
      const want = cfg[peer];
      if (!want) continue;
      const fixtures = cfg.odoo && peer === 'odoo' ? { odooFixtures: cfg.odoo.fixtures } : {};
      started.push(await startSimulator(peer, { host: cfg.host, port: want.port, ...fixtures }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const simulators: SimulatorFacts[] = started.map((s) => s.facts);
  return { info: { simulators }, stop };
};
