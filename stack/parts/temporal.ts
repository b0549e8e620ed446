/** The Temporal dev server (pinned binary first), with its UI and database file. */
import { z } from 'zod';
import { localTemporalCli, resolveTemporalServer, startDevServerFrom } from '../../lib/temporal/server';
import { parse, port, type PartRunner } from './common';

export const temporalConfigSchema = z.object({
  port,
  uiPort: port,
  dbFilename: z.string().min(1),
  uiCodecEndpoint: z.url(),
  namespace: z.string().min(1),
});

export const run: PartRunner = async (config) => {
  const cfg = parse('temporal', temporalConfigSchema, config);
  const cli = localTemporalCli();
  if (cli) {
    const server = await startDevServerFrom(cli.path, cfg);
    const pid = server.process.pid;
    return {
      info: { address: server.address, source: cli.source, pids: pid ? [pid] : [] },
      stop: server.stop,
      done: new Promise((resolve) => server.process.once('exit', resolve)),
    };
  }
  const { TEMPORAL_ADDRESS: _ignored, ...env } = process.env;
  const server = await resolveTemporalServer(cfg, env);
  return { info: { address: server.address, source: server.source, pids: [] }, stop: server.stop };
};
