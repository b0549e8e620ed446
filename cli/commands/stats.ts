/**
 * `ivr stats [--machine M] [--since-hours 24] [--limit 200] [--json]`: per-state figures of recent sessions from the
 * server at TEMPORAL_ADDRESS — visits, no-input and no-match rates, p50/p95 time spent, hang-ups — the same numbers
 * as the console's figures page (api/console/stats.ts). Reading a closed session's trace needs a session worker on
 * its task queue. Exit 0 printed, 1 the server could not be read, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { recentStats } from '../../api/console/reader';
import { statsTable } from '../../api/console/stats';
import { dataConverter } from '../../lib/codec/data-converter';
import { usageOf, type CliCommand } from '../command';

const argsSchema = z.object({
  machine: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a machine name (IvrMachine), e.g. synergia_rdv_mvp_ivr').optional(),
  'since-hours': z.coerce.number().min(0.01).max(24 * 31).default(24),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  json: z.boolean().default(false),
});

export const command: CliCommand = {
  async run(argv) {
    let args: z.infer<typeof argsSchema>;
    try {
      const { values } = parseArgs({
        args: argv,
        options: { machine: { type: 'string' }, 'since-hours': { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
        strict: true,
      });
      const parsed = argsSchema.safeParse(values);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      args = parsed.data;
    } catch (err) {
      process.stderr.write(`ivr stats: ${(err as Error).message}\nusage: ivr ${usageOf('stats')}\n`);
      return 2;
    }
    const address = process.env.TEMPORAL_ADDRESS;
    if (!address) {
      process.stderr.write('ivr stats: set TEMPORAL_ADDRESS to the Temporal server the sessions run on (127.0.0.1:7233 with npm start)\n');
      return 2;
    }
    let connection: Connection;
    try {
      connection = await Connection.connect({ address });
    } catch (err) {
      process.stderr.write(`ivr stats: cannot reach Temporal at ${address} (${(err as Error).message}); is it running?\n`);
      return 1;
    }
    try {
      const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: dataConverter() });
      const report = await recentStats(client, { ...(args.machine ? { machine: args.machine } : {}), sinceHours: args['since-hours'], limit: args.limit });
      if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        const scope = `${report.machine ?? 'every machine'}, sessions started in the last ${report.sinceHours} h`;
        process.stdout.write(`${scope}\n\n${statsTable(report)}\n`);
        if (report.skipped > 0) process.stdout.write(`${report.skipped} session(s) skipped: their trace could not be read (is a session worker running?)\n`);
      }
      return 0;
    } catch (err) {
      process.stderr.write(`ivr stats: ${(err as Error).message}\n`);
      return 1;
    } finally {
      await connection.close();
    }
  },
};
