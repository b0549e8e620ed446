/**
 * `ivr start` (what `npm start` runs) as an operator runs it, on free ports and a temporary data folder:
 *  - a port already taken (an orphaned dev server, another stack) is a clear error naming it and nothing starts;
 *  - the codec server refuses a request with neither token nor UI origin, and answers the printed token;
 *  - the API killed with SIGKILL is restarted while the other parts keep answering;
 *  - no process outlives the supervisor, whether it is stopped by Ctrl-C or killed with SIGKILL.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../lib/codec/aes-gcm-codec';
import { loadKeyring } from '../../lib/codec/keys';
import { payloadToJson } from '../../lib/codec/payload-json';
import { assertPortFree, pickFreePort } from '../../lib/net/ports';
import { commandOf, descendants, waitGone } from './stack-procs';

jest.setTimeout(420_000);

const BIN = path.join(__dirname, '..', '..', 'bin', 'ivr.js');

interface Started {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  ports: { temporal: number; ui: number; codec: number; api: number };
  dataDir: string;
}

async function freePorts() {
  return { temporal: await pickFreePort(), ui: await pickFreePort(), codec: await pickFreePort(), api: await pickFreePort() };
}

function spawnStart(ports: Started['ports'], extraEnv: Record<string, string> = {}): Started {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-start-'));
  // A clean environment for the parts: no peer, token or address from the developer's shell.
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k]) env[k] = process.env[k];
  Object.assign(env, {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    CODEC_SERVER_PORT: String(ports.codec),
    PORT: String(ports.api),
    ...extraEnv,
  });
  const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  return { child, out: () => out, err: () => err, ports, dataDir };
}

async function waitFor(what: string, s: Started, check: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (check()) return;
    if (s.child.exitCode !== null) throw new Error(`ivr start exited (${s.child.exitCode}) while waiting for ${what}:\n${s.err().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`waited ${limitMs / 1000} s for ${what}:\n${s.out().slice(-2000)}\n${s.err().slice(-3000)}`);
}

const running = (s: Started) => waitFor('the banner', s, () => s.out().includes('Ctrl-C stops everything.'), 300_000);

async function status(url: string, init?: RequestInit): Promise<number> {
  try {
    return (await fetch(url, { ...init, signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

function exited(s: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return Promise.resolve({ code: s.child.exitCode, signal: s.child.signalCode });
  return new Promise((resolve) => s.child.once('exit', (code, signal) => resolve({ code, signal })));
}

function cleanup(s: Started | undefined): void {
  if (!s) return;
  for (const pid of descendants(s.child.pid!)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  s.child.kill('SIGKILL');
  fs.rmSync(s.dataDir, { recursive: true, force: true });
}

test('ports already taken are a clear error naming each port and what to do; nothing is started', async () => {
  const ports = await freePorts();
  const holders = await Promise.all(
    [ports.temporal, ports.api].map(
      (port) =>
        new Promise<net.Server>((resolve) => {
          const srv = net.createServer();
          srv.listen(port, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  let s: Started | undefined;
  try {
    s = spawnStart(ports);
    const { code } = await exited(s);
    expect(code).toBe(1);
    expect(s.err()).toContain(`port ${ports.temporal} on 127.0.0.1 (Temporal dev server, gRPC) is already in use`);
    expect(s.err()).toContain(`TEMPORAL_PORT=<port>`);
    expect(s.err()).toContain(`port ${ports.api} on 127.0.0.1 (backend API) is already in use`);
    expect(s.err()).toContain(`PORT=<port>`);
    expect(s.out()).not.toContain('local stack is running');
    // Nothing was left listening on the free ones.
    await assertPortFree(ports.ui, '127.0.0.1', 'ui');
    await assertPortFree(ports.codec, '127.0.0.1', 'codec');
  } finally {
    for (const h of holders) h.close();
    cleanup(s);
  }
});

test('codec auth, a killed API restarted while the rest answers, and no orphan after the supervisor is SIGKILLed', async () => {
  let s: Started | undefined;
  try {
    s = spawnStart(await freePorts());
    await running(s);
    const { codec, api, temporal } = s.ports;
    const banner = s.out();
    expect(banner).toMatch(/Temporal {6}127\.0\.0\.1:\d+ \(dev server from the pinned binary, pid \d+/);
    expect(banner).toContain('Supervised    temporal ');

    // Codec server: neither token nor UI origin → 401; the UI origin and the printed token work.
    const token = /--codec-auth "Bearer ([A-Za-z0-9_-]+)"/.exec(banner)?.[1];
    expect(token).toBeDefined();
    expect(banner).toContain(`--codec-endpoint http://127.0.0.1:${codec} --codec-auth "Bearer ${token}"`);
    const enc = (await new AesGcmPayloadCodec(loadKeyring({})).encode([defaultPayloadConverter.toPayload({ otp: '482913' })]))[0]!;
    const decode = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${codec}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ payloads: [payloadToJson(enc)] }),
      });
    const anonymous = await decode({});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('482913');
    expect((await decode({ Origin: `http://localhost:${s.ports.ui}` })).status).toBe(200);
    const withToken = await decode({ Authorization: `Bearer ${token}` });
    expect(withToken.status).toBe(200);
    const clear = (await withToken.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(clear.payloads[0]!.data, 'base64').toString()).toContain('482913');

    // The stack's own operator token opens /crm; nothing else does.
    const operator = /Authorization: Bearer (op_[A-Za-z0-9_-]+)/.exec(banner)?.[1];
    expect(operator).toBeDefined();
    const contacts = `http://127.0.0.1:${api}/crm/contacts?limit=1`;
    expect(await status(contacts)).toBe(401);
    expect(await status(contacts, { headers: { Authorization: `Bearer ${operator}` } })).toBe(200);

    // Everything listens on loopback only.
    expect(banner).toContain(`Backend API   http://127.0.0.1:${api} (OpenAPI at http://127.0.0.1:${api}/openapi.json; listening on 127.0.0.1)`);
    // The console's address is printed, and it answers with the app (the operator logs in there).
    const consoleUrl = /Console {7}(http:\/\/\S+\/console) /.exec(banner)?.[1];
    expect(consoleUrl).toBe(`http://127.0.0.1:${api}/console`);
    expect(await status(consoleUrl!)).toBe(200);

    // Kill the API part with SIGKILL: reported, restarted, the others answer meanwhile.
    const apiPid = Number(/\bapi (\d+)/.exec(banner)?.[1]);
    expect(apiPid).toBeGreaterThan(0);
    process.kill(apiPid, 'SIGKILL');
    expect(await status(`http://127.0.0.1:${codec}/health`)).toBe(200);
    expect(await status(`http://127.0.0.1:${s.ports.ui}/`)).toBe(200);
    const brevo = /Brevo {9}simulator at (http:\/\/\S+) \(started here/.exec(banner)?.[1];
    expect(await status(`${brevo}/_sim/outbox`)).toBe(200);
    // `ivr call` as printed reads the SMS codes from that simulator.
    expect(banner).toContain(`npx ivr call --temporal 127.0.0.1:${s.ports.temporal} --brevo ${brevo}`);
    await waitFor('the API restart report', s, () => s!.err().includes('part api is running again'), 120_000);
    expect(s.err()).toMatch(new RegExp(`part api \\(pid ${apiPid}\\) exited with signal SIGKILL after [\\d.]+ s; restarting it in`));
    expect(await status(`http://127.0.0.1:${api}/healthz`)).toBe(200);
    expect(await status(`http://127.0.0.1:${codec}/health`)).toBe(200);
    // The restarted API keeps the operator token the worker holds.
    expect(await status(contacts, { headers: { Authorization: `Bearer ${operator}` } })).toBe(200);

    // The supervisor killed with SIGKILL (no handler runs): every part and the dev server still go.
    const tree = descendants(s.child.pid!);
    const devServer = tree.find((p) => commandOf(p).includes('temporal server start-dev'));
    expect(devServer).toBeDefined();
    s.child.kill('SIGKILL');
    const left = await waitGone(tree, 30_000);
    expect(left.map((p) => `${p} ${commandOf(p)}`)).toEqual([]);
    for (const [port, what] of [[temporal, 'temporal'], [api, 'api'], [codec, 'codec'], [s.ports.ui, 'ui']] as const) {
      await assertPortFree(port, '127.0.0.1', what);
    }
  } finally {
    cleanup(s);
  }
});

test('Ctrl-C stops every part and the dev server, and exits 0', async () => {
  let s: Started | undefined;
  try {
    // Metrics asked for: the API's on METRICS_PORT, the worker part's on the next port.
    let metricsPort = await pickFreePort();
    while (!(await assertPortFree(metricsPort + 1, '127.0.0.1', 'worker metrics').then(() => true, () => false))) metricsPort = await pickFreePort();
    s = spawnStart(await freePorts(), { CODEC_SERVER_TOKEN: 'a-token-the-operator-chose-0123', METRICS_PORT: String(metricsPort) });
    await running(s);
    expect(s.out()).toContain(`Metrics       http://127.0.0.1:${metricsPort}/metrics (API), http://127.0.0.1:${metricsPort + 1}/metrics (worker)`);
    for (const port of [metricsPort, metricsPort + 1]) {
      const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toContain('# TYPE ivr_');
    }
    // A token given by the operator is used, and not echoed.
    expect(s.out()).not.toContain('a-token-the-operator-chose-0123');
    expect(s.out()).toContain('--codec-auth "Bearer $CODEC_SERVER_TOKEN"');
    const ok = await fetch(`http://127.0.0.1:${s.ports.codec}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer a-token-the-operator-chose-0123' },
      body: '{}',
    });
    expect(ok.status).toBe(200);

    const tree = descendants(s.child.pid!);
    expect(tree.some((p) => commandOf(p).includes('temporal server start-dev'))).toBe(true);
    s.child.kill('SIGINT');
    expect(await exited(s)).toEqual({ code: 0, signal: null });
    const left = await waitGone(tree, 15_000);
    expect(left.map((p) => `${p} ${commandOf(p)}`)).toEqual([]);
  } finally {
    cleanup(s);
  }
});
