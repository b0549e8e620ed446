/**
 * `ivr simulate` against a Brevo simulator it did not start, reached through BREVO_BASE_URL + BREVO_API_KEY with a
 * proxy in front: the script's `otp:` and `expect.sent` steps read the outbox through that URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo';
import { simulateScripts } from '../../cli/simulate/simulate';
import { startLocalStack } from '../../stack/local-stack';

jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..', '..');
const KEY = 'xkeysib-behind-proxy';

/** Forwards every request unchanged to `target`, counting what went through. */
function startProxy(target: string): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        paths,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

const VARS = ['BREVO_API_KEY', 'BREVO_BASE_URL', 'BREVO_SMS_SENDER', 'BREVO_EMAIL_SENDER'] as const;

let sim: BrevoSimulator;
let proxy: Awaited<ReturnType<typeof startProxy>>;
const saved: Partial<Record<(typeof VARS)[number], string>> = {};

beforeAll(async () => {
  sim = await startBrevoSimulator({ apiKey: KEY });
  proxy = await startProxy(sim.url);
  for (const v of VARS) if (process.env[v] !== undefined) saved[v] = process.env[v];
  Object.assign(process.env, { BREVO_API_KEY: KEY, BREVO_BASE_URL: proxy.url, BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'Cabinet <rdv@cabinet.example>' });
});

afterAll(async () => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
  await proxy?.close();
  await sim?.stop();
});

test('a script with otp: and expect.sent passes against a Brevo simulator behind BREVO_BASE_URL + BREVO_API_KEY', async () => {
  // Someone else's earlier message to the same caller: the script must not take its code.
  const earlier = await fetch(`${sim.url}/v3/transactionalSMS/send`, {
    method: 'POST',
    headers: { 'api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ sender: 'Cabinet', recipient: '33612345678', content: 'Votre code : 999999' }),
  });
  expect(earlier.status).toBe(201);

  const lines: { type: string; ok?: boolean; failure?: string }[] = [];
  const errors: string[] = [];
  const code = await simulateScripts({
    machineArg: path.join(ROOT, 'machines', 'rdv-ivr.yaml'),
    scriptFiles: [path.join(ROOT, 'test', 'journeys', 'scripts', 'c7-share.yaml')],
    channel: 'web',
    coverage: false,
    json: true,
    out: (l) => lines.push(JSON.parse(l) as { type: string }),
    err: (l) => errors.push(l),
  });
  const results = lines.filter((l) => l.type === 'result');
  expect(errors).toEqual([]);
  expect(results.map((r) => r.failure ?? 'ok')).toEqual(['ok']);
  expect(code).toBe(0);
  // The sends went through the proxy to the simulator this test started (no simulator of the stack's own).
  expect(proxy.paths.filter((p) => p.startsWith('POST /v3/transactionalSMS')).length).toBeGreaterThanOrEqual(2);
  expect(proxy.paths).toContain('GET /_sim/outbox');
  expect(sim.outbox.filter((m) => m.channel === 'sms').length).toBeGreaterThanOrEqual(3);
});

test('the local stack calls the Brevo simulator behind BREVO_BASE_URL a simulator, not real, and starts none of its own', async () => {
  const stack = await startLocalStack({ env: { ...process.env }, apiStoreDir: 'memory://', taskQueue: `banner-${process.pid}` });
  try {
    const brevoLine = stack.describe().find((l) => l.startsWith('Brevo'));
    expect(brevoLine).toBe(`Brevo         simulator at ${proxy.url} (behind BREVO_API_KEY and its base URL; outbox at ${proxy.url}/_sim/outbox)`);
    expect(stack.describe().join('\n')).not.toMatch(/Brevo.*real/);
    expect(stack.brevoSim).toBeUndefined();
    expect(stack.peers.brevo).toEqual({ peer: 'brevo', url: proxy.url, origin: 'configured', identity: 'simulator' });
    expect(stack.env.BREVO_API_KEY).toBe(KEY);
  } finally {
    await stack.stop();
  }
});
