/** `ivr sim odoo --port <p> [--version 16|17|18|19] [--db <name>] [--fixtures <file>] [--no-phonenumbers]` */
import { z } from 'zod';
import { startOdooSimulator } from './server';

const Args = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8069),
  // Loopback unless --host or HOST opens it.
  host: z.string().min(1).default(process.env.HOST || '127.0.0.1'),
  version: z.enum(['16', '17', '18', '19']).default('19').transform((v) => Number(v) as 16 | 17 | 18 | 19),
  db: z.string().min(1).default('odoo'),
  fixtures: z.string().optional(),
  phonenumbers: z.boolean().default(true),
});

const USAGE = 'usage: ivr sim odoo [--port 8069] [--host 127.0.0.1] [--version 16|17|18|19] [--db odoo] [--fixtures file.json] [--no-phonenumbers]\n';

function parseArgv(argv: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--no-phonenumbers') out.phonenumbers = false;
    else if (/^--(port|host|version|db|fixtures)$/.test(a)) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      out[a.slice(2)] = v;
    } else throw new Error(`unknown argument '${a}'`);
  }
  return out;
}

export async function runStandalone(argv: string[]): Promise<number> {
  let args: z.infer<typeof Args>;
  try {
    const parsed = Args.safeParse(parseArgv(argv));
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
    args = parsed.data;
  } catch (e) {
    process.stderr.write(`ivr sim odoo: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const sim = await startOdooSimulator(args);
  const apiKey = sim.issueApiKey();
  process.stdout.write(
    `Odoo ${sim.version}.0 simulator at ${sim.url}\n` +
      `  database: ${sim.db}\n  login: admin  password: admin  (uid 2)\n  API key: ${apiKey}\n` +
      `  transports: session JSON-RPC, /jsonrpc${sim.version >= 19 ? ', JSON-2 (/json/2/<model>/<method>)' : ''}\n` +
      `  ODOO_URL=${sim.url} ODOO_DB=${sim.db} ODOO_LOGIN=admin ODOO_PASSWORD=admin ODOO_API_KEY=${apiKey}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.stop();
  process.stdout.write('Odoo simulator stopped\n');
  return 0;
}
