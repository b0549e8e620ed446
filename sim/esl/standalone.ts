/**
 * `npx ivr sim esl --port 8021 --password <pw> [--control-port 8089] [--host 127.0.0.1] [--time-scale 1]
 *  [--event-delay-ms 5-60]`
 * Runs the event-socket simulator on its own, with a small JSON control API so a person can place calls, press
 * keys, speak and hang up while trying the bridge by hand (see sim/esl/README.md).
 */
import fs from 'node:fs';
import http from 'node:http';
import { z } from 'zod';
import { startEslSimulator, type EslSimulator } from './server';

const ArgsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8021),
  // Loopback unless --host or HOST opens it.
  host: z.string().min(1).default(process.env.HOST || '127.0.0.1'),
  password: z.string({ error: '--password is required (or set ESL_PASSWORD)' }).min(1, '--password must not be empty'),
  controlPort: z.coerce.number().int().min(0).max(65535).optional(),
  timeScale: z.coerce.number().positive().default(1),
  // MIN-MAX real ms (uniform) or one number; FreeSWITCH's own 5–60 ms by default.
  eventDelayMs: z
    .string()
    .regex(/^\d+(\.\d+)?(-\d+(\.\d+)?)?$/, 'use MIN-MAX in ms (e.g. 5-60) or one number (0 = no delay)')
    .transform((v) => {
      const [min = 0, max = min] = v.split('-').map(Number);
      return { min, max };
    })
    .refine((d) => d.min <= d.max, 'MIN must not exceed MAX')
    .default({ min: 5, max: 60 }),
});

function parseArgs(argv: string[]): z.infer<typeof ArgsSchema> {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const key = a.slice(2).replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${a} needs a value`);
    raw[key] = value;
    i++;
  }
  if (raw.password === undefined && process.env.ESL_PASSWORD) raw.password = process.env.ESL_PASSWORD;
  const r = ArgsSchema.safeParse(raw);
  if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.') ? `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : ''}${i.message}`).join('; '));
  return r.data;
}

const PlaceCall = z.object({ caller: z.string().min(1), destination: z.string().min(1), callerName: z.string().optional() });
const Dtmf = z.object({ digits: z.string().regex(/^[0-9A-D*#]+$/i, 'digits: only 0-9, A-D, * and #'), durationMs: z.number().int().positive().optional() });
const Speak = z.object({ wavPath: z.string().min(1) });
const Hangup = z.object({ cause: z.string().regex(/^[A-Z_]+$/).optional() });

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}

/** The HTTP control API; resolves with the listening server. */
export function startControlServer(sim: EslSimulator, port: number, host = '127.0.0.1'): Promise<http.Server> {
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const parts = url.pathname.split('/').filter(Boolean);
      try {
        if (req.method === 'GET' && url.pathname === '/calls') {
          return send(res, 200, {
            calls: [...sim.calls.values()].map((c) => ({
              uuid: c.uuid,
              caller: c.callerIdNumber,
              destination: c.destinationNumber,
              answered: c.answered,
              apps: c.apps.map((a) => ({ app: a.app, arg: a.arg, response: a.response ?? null })),
              recordings: c.recordings,
              dtmf: c.dtmf,
              discardedDtmf: c.discardedDtmf,
            })),
          });
        }
        if (req.method === 'POST' && url.pathname === '/calls') {
          const b = PlaceCall.safeParse(await readJson(req));
          if (!b.success) return send(res, 400, { error: 'invalid body', issues: b.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
          const opts: Parameters<EslSimulator['placeCall']>[0] = { callerIdNumber: b.data.caller, destinationNumber: b.data.destination };
          if (b.data.callerName) opts.callerIdName = b.data.callerName;
          const call = await sim.placeCall(opts);
          return send(res, 201, { uuid: call.uuid });
        }
        if (req.method === 'POST' && parts[0] === 'calls' && parts.length === 3) {
          const call = sim.calls.get(parts[1] ?? '');
          if (!call) return send(res, 404, { error: `no live call ${parts[1]}` });
          const body = await readJson(req);
          if (parts[2] === 'dtmf') {
            const b = Dtmf.safeParse(body);
            if (!b.success) return send(res, 400, { error: 'invalid body', issues: b.error.issues.map((i) => i.message) });
            await call.press(b.data.digits, b.data.durationMs ? { durationMs: b.data.durationMs } : {});
            return send(res, 200, { ok: true });
          }
          if (parts[2] === 'speak') {
            const b = Speak.safeParse(body);
            if (!b.success) return send(res, 400, { error: 'invalid body', issues: b.error.issues.map((i) => i.message) });
            if (!fs.existsSync(b.data.wavPath)) return send(res, 400, { error: `wavPath: no file at ${b.data.wavPath}` });
            call.speak(b.data.wavPath);
            return send(res, 200, { ok: true });
          }
          if (parts[2] === 'hangup') {
            const b = Hangup.safeParse(body);
            if (!b.success) return send(res, 400, { error: 'invalid body', issues: b.error.issues.map((i) => i.message) });
            await call.hangup(b.data.cause ?? 'NORMAL_CLEARING');
            return send(res, 200, { ok: true });
          }
        }
        send(res, 404, { error: `no route ${req.method} ${url.pathname}: see sim/esl/README.md` });
      } catch (e) {
        send(res, 400, { error: (e as Error).message });
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export async function runStandalone(argv: string[], opts: { signal?: AbortSignal } = {}): Promise<number> {
  let args: z.infer<typeof ArgsSchema>;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`ivr sim esl: ${(e as Error).message}\nusage: ivr sim esl --port 8021 --password <pw> [--control-port 8089] [--host 127.0.0.1] [--time-scale 1] [--event-delay-ms 5-60]\n`);
    return 2;
  }
  const sim = await startEslSimulator({
    port: args.port,
    host: args.host,
    password: args.password,
    timeScale: args.timeScale,
    eventDelayMs: args.eventDelayMs,
    log: (m) => process.stderr.write(`[esl-sim] ${m}\n`),
  });
  let control: http.Server | undefined;
  if (args.controlPort !== undefined) control = await startControlServer(sim, args.controlPort, args.host);
  const addr = control?.address();
  process.stdout.write(
    `FreeSWITCH event-socket simulator on ${args.host}:${sim.port}` +
      (addr && typeof addr === 'object' ? `, control API on http://${args.host}:${addr.port}` : '') +
      '\n',
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    opts.signal?.addEventListener('abort', stop, { once: true });
  });
  await new Promise<void>((r) => (control ? control.close(() => r()) : r()));
  await sim.stop();
  return 0;
}
