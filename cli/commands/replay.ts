/**
 * `ivr replay --workflow-id <id> | --history <file.json>…`: replays sessions against the current code and reports
 * any non-determinism with the event where it diverged. Exit 0 all replayed, 1 a divergence, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../../lib/codec/data-converter';
import { readHistoryFile, replayHistory } from '../../workers/replay';
import { installRuntimeLogger } from '../../workers/runtime-logger';
import type { CliCommand } from '../command';

export const command: CliCommand = {
  async run(argv) {
    let values: { 'workflow-id'?: string[]; history?: string[]; json?: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { 'workflow-id': { type: 'string', multiple: true }, history: { type: 'string', multiple: true }, json: { type: 'boolean' } },
        strict: true,
      }));
    } catch (err) {
      process.stderr.write(`ivr replay: ${(err as Error).message}\n`);
      return 2;
    }
    const ids = values['workflow-id'] ?? [];
    // `--history a.json b.json …` (a shell glob) reads as one flag and positionals.
    const files = [...(values.history ?? []), ...positionals];
    if (ids.length + files.length === 0) {
      process.stderr.write('ivr replay: give --workflow-id <id> (fetched from TEMPORAL_ADDRESS) or --history <file.json>\n');
      return 2;
    }
    installRuntimeLogger();
    const jobs: { label: string; load: () => Promise<Parameters<typeof replayHistory>[0]> }[] = [];
    for (const file of files) jobs.push({ label: file, load: async () => readHistoryFile(file) });
    if (ids.length) {
      const address = process.env.TEMPORAL_ADDRESS;
      if (!address) {
        process.stderr.write('ivr replay: --workflow-id needs TEMPORAL_ADDRESS (the server that holds the history)\n');
        return 2;
      }
      const connection = await Connection.connect({ address });
      const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: dataConverter() });
      for (const id of ids) jobs.push({ label: id, load: () => client.workflow.getHandle(id).fetchHistory() });
    }
    let failures = 0;
    for (const job of jobs) {
      let history;
      try {
        history = await job.load();
      } catch (err) {
        process.stderr.write(`ivr replay: ${job.label}: ${(err as Error).message}\n`);
        return 2;
      }
      const outcome = await replayHistory(history, job.label);
      if (!outcome.ok) failures += 1;
      if (values.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
      else if (outcome.ok) process.stdout.write(`ok       ${job.label}\n`);
      else {
        const at = outcome.error?.eventId ? ` at event ${outcome.error.eventId}` : '';
        process.stdout.write(`DIVERGED ${job.label}${at} (${outcome.error?.kind}): ${outcome.error?.message}\n`);
      }
    }
    return failures ? 1 : 0;
  },
};
