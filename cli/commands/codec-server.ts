/**
 * `ivr codec-server`: serves the payload codec over HTTP for the Temporal Web UI, so an operator reads encrypted
 * histories in clear. Keys come from PAYLOAD_KEYS / PAYLOAD_KEY_ID (see lib/codec/keys.ts); the bearer token that
 * command-line clients need from CODEC_SERVER_TOKEN (not a flag: flags show in `ps`). Without it, only the UI
 * origins are answered. Listens on 127.0.0.1 unless --host or HOST says otherwise.
 * Start the dev server with `--ui-codec-endpoint http://127.0.0.1:<port>` to make its UI use it.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startCodecServer } from '../../lib/codec/codec-server';
import { loadKeyring, newKeyEntry } from '../../lib/codec/keys';
import { usageOf, type CliCommand } from '../command';

const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  'ui-origin': z.array(z.url({ message: 'must be a URL such as http://localhost:8233' })),
  'new-key': z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'key id: 1-64 of A-Z a-z 0-9 . _ -').optional(),
});

export const command: CliCommand = {
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          port: { type: 'string', default: '8888' },
          host: { type: 'string', default: process.env.HOST || '127.0.0.1' },
          'ui-origin': { type: 'string', multiple: true },
          'new-key': { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      process.stderr.write(`ivr codec-server: ${err instanceof Error ? err.message : String(err)}\nUsage: ivr ${usageOf('codec-server')}\n`);
      return 2;
    }
    const parsed = argsSchema.safeParse({ ...values, 'ui-origin': values['ui-origin'] ?? DEFAULT_UI_ORIGINS });
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`);
      process.stderr.write(`ivr codec-server: bad arguments:\n${lines.join('\n')}\n`);
      return 2;
    }
    const args = parsed.data;
    if (args['new-key']) {
      process.stdout.write(
        `${newKeyEntry(args['new-key'])}\n` +
          `Append it to PAYLOAD_KEYS (comma-separated) on every worker, client and codec server, then set ` +
          `PAYLOAD_KEY_ID=${args['new-key']} once all of them have it. Keep old keys listed while their histories matter.\n`,
      );
      return 0;
    }

    const keyring = loadKeyring();
    const token = process.env.CODEC_SERVER_TOKEN?.trim() || undefined;
    const server = await startCodecServer({
      port: args.port,
      host: args.host,
      keyring,
      allowedOrigins: args['ui-origin'],
      ...(token ? { authToken: token } : {}),
    });
    process.stderr.write(
      `codec server on ${server.url} (keys: ${[...keyring.keys.keys()].join(', ')}; encrypting with ${keyring.activeKeyId}; ` +
        `UI origins: ${args['ui-origin'].join(', ')})\n` +
        `Temporal dev server flag: --ui-codec-endpoint ${server.url}\n` +
        (token
          ? `Command line: temporal workflow show … --codec-endpoint ${server.url} --codec-auth "Bearer $CODEC_SERVER_TOKEN"\n`
          : 'CODEC_SERVER_TOKEN is unset: only the UI origins above are answered (set it to use --codec-auth from the command line)\n'),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  },
};
