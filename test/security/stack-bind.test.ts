/**
 * Nothing listens beyond loopback unless asked: the API (with the default configuration), the local API with its
 * simulators and the codec server bind 127.0.0.1; HOST opens the API; a taken port is an error naming it.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { loadApiConfig } from '../../api/config';
import { startLocalApi } from '../../stack/local-api';
import { startApiServer } from '../../api/server';
import { ApiStore } from '../../api/store/store';
import { brevoConfigFromEnv } from '../../lib/brevo/client';
import { startCodecServer } from '../../lib/codec/codec-server';
import { keyringFromEntries } from '../../lib/codec/keys';
import { createOdooClient } from '../../lib/odoo/client';
import { assertPortFree, PortInUseError } from '../../lib/net/ports';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo/index';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';
import { startOpenAiSimulator } from '../../sim/openai';

const silent = pino({ level: 'silent' });
const KEYS = { NODE_ENV: 'test', OTP_HASH_KEY: 'test-otp-hash-key-0123', SESSION_KEY: 'test-session-key-01234' };

let odooSim: OdooSimulator;
let brevoSim: BrevoSimulator;
let store: ApiStore;

beforeAll(async () => {
  odooSim = await startOdooSimulator({ fixtures: path.join(__dirname, '../../sim/odoo/fixtures/demo.json') });
  brevoSim = await startBrevoSimulator();
  store = await ApiStore.open({ dataDir: 'memory://' });
});
afterAll(async () => {
  await store.close();
  await odooSim.stop();
  await brevoSim.stop();
});

function startApi(env: Record<string, string>, port = 0) {
  return startApiServer({
    port,
    config: loadApiConfig({ ...KEYS, ...env }),
    store,
    odoo: createOdooClient({ url: odooSim.url, db: odooSim.db, login: 'admin', password: 'admin', retries: 0 }),
    brevo: { config: brevoConfigFromEnv({ BREVO_API_KEY: 'test', BREVO_BASE_URL: brevoSim.url, BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'rdv@cabinet.example' }) },
    log: silent,
  });
}

test('the API started with the default configuration is bound to 127.0.0.1', async () => {
  const api = await startApi({});
  try {
    expect(api.host).toBe('127.0.0.1');
    expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  } finally {
    await api.stop();
  }
});

test('HOST opens the API to every interface when asked', async () => {
  const api = await startApi({ HOST: '0.0.0.0' });
  try {
    expect(api.host).toBe('0.0.0.0');
  } finally {
    await api.stop();
  }
});

test('an empty HOST is refused instead of meaning "every interface"', () => {
  expect(() => loadApiConfig({ ...KEYS, HOST: '' })).toThrow(/HOST/);
});

test('the local API (what `ivr api` runs) binds loopback, and so do the simulators it starts', async () => {
  const api = await startLocalApi({ ...KEYS, API_STORE_DIR: 'memory://' }, { port: 0 });
  try {
    expect(api.host).toBe('127.0.0.1');
    expect(new URL(api.odooSim!.url).hostname).toBe('127.0.0.1');
    expect(new URL(api.brevoSim!.url).hostname).toBe('127.0.0.1');
  } finally {
    await api.stop();
  }
  const openai = await startOpenAiSimulator({ apiKey: 'k' });
  try {
    expect(new URL(openai.url).hostname).toBe('127.0.0.1');
  } finally {
    await openai.stop();
  }
});

test('the codec server binds loopback by default', async () => {
  const keyring = keyringFromEntries([{ id: 'k1', key: crypto.randomBytes(32) }], 'k1');
  const codec = await startCodecServer({ port: 0, keyring, allowedOrigins: ['http://localhost:8233'], logger: silent });
  try {
    expect(new URL(codec.url).hostname).toBe('127.0.0.1');
  } finally {
    await codec.close();
  }
});

test('a port already taken is an error naming the port, the part and the variable that moves it', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const refused = startApi({}, port);
    await expect(refused).rejects.toBeInstanceOf(PortInUseError);
    await expect(refused).rejects.toThrow(new RegExp(`port ${port} on 127\\.0\\.0\\.1 \\(backend API\\) is already in use.*PORT=<port>`, 's'));
    // Something on 127.0.0.1 also blocks binding every interface on that port.
    await expect(assertPortFree(port, '0.0.0.0', 'x')).rejects.toThrow(`port ${port} on 0.0.0.0 (x)`);
  } finally {
    holder.close();
  }
  await expect(assertPortFree(port, '127.0.0.1', 'x')).resolves.toBeUndefined();
});
