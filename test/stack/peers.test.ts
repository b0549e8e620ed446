/** The one fallback policy of the peers (stack/peers.ts): environment → decision, defaults, identification, banner. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo';
import {
  choosePeers,
  configuredStatus,
  describePeer,
  identifyPeer,
  PEER_DEFAULTS,
  readBrevoOutbox,
  simulatorEnv,
  startedStatus,
} from '../../stack/peers';
import { run as runSims } from '../../stack/parts/sims';
import { peersOf } from '../../cli/simulate/simulate';
import type { OdooClient } from '../../lib/odoo/client';

const neverFetch = (() => {
  throw new Error('the public service must not be asked for a simulator route');
}) as unknown as typeof fetch;

describe('choosePeers', () => {
  test('nothing set: every peer is simulated', () => {
    const c = choosePeers({});
    expect([c.odoo.mode, c.brevo.mode, c.openai.mode]).toEqual(['simulate', 'simulate', 'simulate']);
  });

  test('the deciding variable is the key (Brevo, OpenAI) or the URL (Odoo); URLs default to the public services', () => {
    const c = choosePeers({ ODOO_URL: 'http://odoo.lan:8069', BREVO_API_KEY: 'xkeysib-1', OPENAI_API_KEY: 'sk-1' });
    expect(c.odoo).toEqual({ peer: 'odoo', mode: 'configured', url: 'http://odoo.lan:8069', variable: 'ODOO_URL' });
    expect(c.brevo).toEqual({ peer: 'brevo', mode: 'configured', url: 'https://api.brevo.com', variable: 'BREVO_API_KEY' });
    expect(c.openai).toEqual({ peer: 'openai', mode: 'configured', url: 'https://api.openai.com/v1', variable: 'OPENAI_API_KEY' });
  });

  test('BREVO_BASE_URL / OPENAI_BASE_URL are followed once the key is set; a blank variable counts as unset', () => {
    const c = choosePeers({ BREVO_API_KEY: 'k', BREVO_BASE_URL: 'http://proxy:9000', OPENAI_API_KEY: '  ', ODOO_URL: '' });
    expect(c.brevo).toMatchObject({ mode: 'configured', url: 'http://proxy:9000' });
    expect(c.openai.mode).toBe('simulate');
    expect(c.odoo.mode).toBe('simulate');
  });

  test('a base URL without its key still means the simulator (the key decides)', () => {
    expect(choosePeers({ BREVO_BASE_URL: 'http://proxy:9000' }).brevo.mode).toBe('simulate');
  });
});

describe('simulatorEnv: one set of defaults', () => {
  test('Brevo: the simulator key and URL; senders kept from the environment when set', () => {
    expect(simulatorEnv({ peer: 'brevo', url: 'http://127.0.0.1:1' }, {})).toEqual({
      BREVO_API_KEY: PEER_DEFAULTS.brevo.apiKey,
      BREVO_BASE_URL: 'http://127.0.0.1:1',
      BREVO_SMS_SENDER: 'Cabinet',
      BREVO_EMAIL_SENDER: 'Cabinet <rdv@cabinet.example>',
    });
    expect(simulatorEnv({ peer: 'brevo', url: 'http://127.0.0.1:1' }, { BREVO_SMS_SENDER: 'Dr' }).BREVO_SMS_SENDER).toBe('Dr');
    expect(PEER_DEFAULTS.brevo.apiKey).toBe('local-brevo-key');
  });

  test('Odoo: demo credentials and the database the simulator reported; OpenAI: no model, so no LLM', () => {
    expect(simulatorEnv({ peer: 'odoo', url: 'http://127.0.0.1:2', db: 'odoo', version: 18 }, {})).toEqual({
      ODOO_URL: 'http://127.0.0.1:2', ODOO_DB: 'odoo', ODOO_LOGIN: 'admin', ODOO_PASSWORD: 'admin',
    });
    expect(() => simulatorEnv({ peer: 'odoo', url: 'http://127.0.0.1:2' }, {})).toThrow(/no database name/);
    expect(simulatorEnv({ peer: 'openai', url: 'http://127.0.0.1:3/v1' }, {})).toEqual({
      OPENAI_API_KEY: 'local-openai-key', OPENAI_BASE_URL: 'http://127.0.0.1:3/v1', CRM_USE_LLM: 'false',
    });
  });
});

describe('identification and banner', () => {
  let sim: BrevoSimulator;
  let notSim: http.Server;
  let notSimUrl: string;
  beforeAll(async () => {
    sim = await startBrevoSimulator({ apiKey: 'xkeysib-test' });
    notSim = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"document_not_found"}'));
    await new Promise<void>((r) => notSim.listen(0, '127.0.0.1', r));
    notSimUrl = `http://127.0.0.1:${(notSim.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await sim.stop();
    await new Promise((r) => notSim.close(r));
  });

  test('a configured Brevo URL answering GET /_sim/outbox is a simulator; one that does not is real', async () => {
    expect(await identifyPeer('brevo', sim.url)).toBe('simulator');
    expect(await identifyPeer('brevo', notSimUrl)).toBe('real');
    expect(await identifyPeer('brevo', 'http://127.0.0.1:1')).toBe('real');
  });

  test('the public services are not probed; Odoo cannot be told', async () => {
    expect(await identifyPeer('brevo', 'https://api.brevo.com', { fetchImpl: neverFetch })).toBe('real');
    expect(await identifyPeer('openai', 'https://api.openai.com/v1/', { fetchImpl: neverFetch })).toBe('real');
    expect(await identifyPeer('odoo', 'http://odoo.lan', { fetchImpl: neverFetch })).toBe('unidentified');
  });

  test('the banner says "simulator at URL" for a simulator behind BREVO_BASE_URL, "real at URL" otherwise', async () => {
    const behind = await configuredStatus({ peer: 'brevo', mode: 'configured', url: sim.url, variable: 'BREVO_API_KEY' });
    expect(describePeer(behind)).toBe(`Brevo         simulator at ${sim.url} (behind BREVO_API_KEY and its base URL; outbox at ${sim.url}/_sim/outbox)`);
    expect(describePeer(behind)).not.toContain('real');
    const real = await configuredStatus({ peer: 'brevo', mode: 'configured', url: notSimUrl, variable: 'BREVO_API_KEY' });
    expect(describePeer(real)).toBe(`Brevo         real at ${notSimUrl}`);
    expect(describePeer(startedStatus({ peer: 'odoo', url: 'http://127.0.0.1:5', db: 'odoo', version: 18 }))).toBe(
      'Odoo          simulator at http://127.0.0.1:5 (started here; Odoo 18, db odoo, admin/admin)',
    );
    expect(describePeer(startedStatus({ peer: 'openai', url: 'http://127.0.0.1:6/v1' }))).toBe(
      'Speech (STT)  simulator at http://127.0.0.1:6/v1 (started here; OpenAI-compatible; hears no live audio: to dictate, see README "Local speech-to-text")',
    );
    expect(describePeer({ peer: 'odoo', url: 'http://odoo.lan', origin: 'configured', identity: 'unidentified' })).toBe(
      'Odoo          at http://odoo.lan (ODOO_URL; not probed)',
    );
  });

  test('readBrevoOutbox names the URL and what to do when it is not a simulator', async () => {
    await expect(readBrevoOutbox(notSimUrl)).rejects.toThrow(new RegExp(`${notSimUrl}/_sim/outbox answered HTTP 404.*BREVO_BASE_URL`));
    await expect(readBrevoOutbox('http://127.0.0.1:1')).rejects.toThrow(/cannot read the Brevo simulator's outbox at http:\/\/127\.0\.0\.1:1\/_sim\/outbox/);
  });

  test("scripts read the outbox through the URL and ignore messages sent before they started", async () => {
    sim.reset();
    const send = (content: string) =>
      fetch(`${sim.url}/v3/transactionalSMS/send`, {
        method: 'POST',
        headers: { 'api-key': 'xkeysib-test', 'content-type': 'application/json' },
        body: JSON.stringify({ sender: 'Cabinet', recipient: '33612345678', content }),
      });
    expect((await send('Votre code : 111111')).status).toBe(201);
    const odoo = {} as OdooClient;
    const peers = await peersOf({ odoo, peers: { brevo: startedStatus({ peer: 'brevo', url: sim.url }) } });
    expect(await peers.outbox()).toEqual([]);
    expect((await send('Votre code : 222222')).status).toBe(201);
    expect(await peers.outbox()).toEqual([{ channel: 'sms', to: '+33612345678', text: 'Votre code : 222222' }]);
    expect(peers.outboxUnavailable).toBeUndefined();
  });

  test('against a real Brevo, scripts say why sent messages cannot be read', async () => {
    const odoo = {} as OdooClient;
    const peers = await peersOf({ odoo, peers: { brevo: { peer: 'brevo', url: notSimUrl, origin: 'configured', identity: 'real' } } });
    expect(peers.outboxUnavailable).toMatch(/is not a simulator.*BREVO_BASE_URL/);
  });
});

test('the sims part of npm start reports each simulator it started as facts the stack applies', async () => {
  const part = await runSims({ host: '127.0.0.1', brevo: { port: 0 } }, {});
  try {
    const facts = part.info.simulators as { peer: string; url: string }[];
    expect(facts).toHaveLength(1);
    expect(facts[0]!.peer).toBe('brevo');
    expect(await identifyPeer('brevo', facts[0]!.url)).toBe('simulator');
  } finally {
    await part.stop();
  }
  await expect(runSims({ host: '127.0.0.1', brevo: { port: -1 } }, {})).rejects.toThrow(/part sims: bad configuration.*brevo\.port/);
});
