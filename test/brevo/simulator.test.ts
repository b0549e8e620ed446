/** Wire-level checks of the Brevo simulator with plain fetch: what a real Brevo client would see. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo';

const KEY = 'xkeysib-sim-test-key';
let sim: BrevoSimulator;
beforeAll(async () => {
  sim = await startBrevoSimulator({ apiKey: KEY, emailIdempotencyTtlMs: 300 });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

async function post(p: string, body: unknown, key: string | null = KEY): Promise<{ status: number; json: any; headers: Headers; text: string }> {
  const res = await fetch(`${sim.url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'api-key': key } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, headers: res.headers, text };
}

const sms = { sender: 'CabinetRdv', recipient: '33612345678', content: 'Votre RDV est confirmé lundi 23 novembre à 10h30.', type: 'transactional' };
const email = {
  sender: { email: 'rdv@cabinet.example', name: 'Cabinet' },
  to: [{ email: 'client@example.org', name: 'Client' }],
  subject: 'Votre rendez-vous',
  htmlContent: '<p>Confirmé</p>',
};

describe('Brevo simulator: transactional SMS', () => {
  test('/v3/transactionalSMS/sms answers 201 {reference, messageId, smsCount, usedCredits, remainingCredits}', async () => {
    sim.setSmsCredits(10);
    const r = await post('/v3/transactionalSMS/sms', { ...sms, tag: 'rdv-confirm' });
    expect(r.status).toBe(201);
    expect(Object.keys(r.json).sort()).toEqual(['messageId', 'reference', 'remainingCredits', 'smsCount', 'usedCredits']);
    expect(r.json).toMatchObject({ smsCount: 1, usedCredits: 1, remainingCredits: 9 });
    expect(Number.isSafeInteger(r.json.messageId)).toBe(true);
    expect(sim.outbox).toHaveLength(1);
    expect(sim.outbox[0]).toMatchObject({ channel: 'sms', to: ['33612345678'], content: sms.content, tag: 'rdv-confirm', messageId: String(r.json.messageId) });
  });

  test('a long unicode text costs several parts', async () => {
    const r = await post('/v3/transactionalSMS/sms', { ...sms, content: 'ŷ'.repeat(140) });
    expect(r.json.smsCount).toBe(3); // 140 UCS-2 chars = 3 parts of 67
  });

  test('/v3/transactionalSMS/send answers 201 {messageId} and accepts a tag array', async () => {
    const r = await post('/v3/transactionalSMS/send', { ...sms, tag: ['rdv', 'key:abc'] });
    expect(r.status).toBe(201);
    expect(Object.keys(r.json)).toEqual(['messageId']);
    expect(sim.outbox[0]!.tag).toEqual(['rdv', 'key:abc']);
    expect(r.headers.get('x-sib-ratelimit-limit')).toMatch(/^\d+$/);
  });

  test('validation errors are 400 {code, message}', async () => {
    const noSender = await post('/v3/transactionalSMS/sms', { ...sms, sender: undefined });
    expect(noSender).toMatchObject({ status: 400, json: { code: 'missing_parameter', message: 'sender is missing' } });
    const longSender = await post('/v3/transactionalSMS/sms', { ...sms, sender: 'CabinetMedical1' });
    expect(longSender.json.code).toBe('invalid_parameter');
    const badPhone = await post('/v3/transactionalSMS/sms', { ...sms, recipient: '06 12' });
    expect(badPhone.json).toEqual({ code: 'invalid_parameter', message: 'Invalid recipient number' });
    const noContent = await post('/v3/transactionalSMS/send', { ...sms, content: undefined });
    expect(noContent.json.code).toBe('missing_parameter');
    const notJson = await post('/v3/transactionalSMS/send', '{"sender":');
    expect(notJson).toMatchObject({ status: 400, json: { code: 'bad_request' } });
    expect(sim.outbox).toHaveLength(0);
  });

  test('402 not_enough_credits when the credits run out', async () => {
    sim.setSmsCredits(0);
    const r = await post('/v3/transactionalSMS/sms', sms);
    expect(r).toMatchObject({ status: 402, json: { code: 'not_enough_credits' } });
    expect(sim.outbox).toHaveLength(0);
  });
});

describe('Brevo simulator: auth, rate limits and failures', () => {
  test('401 unauthorized without the header and with a wrong key', async () => {
    expect(await post('/v3/smtp/email', email, null)).toMatchObject({ status: 401, json: { code: 'unauthorized', message: 'authentication not found in headers' } });
    expect(await post('/v3/smtp/email', email, 'xkeysib-wrong')).toMatchObject({ status: 401, json: { code: 'unauthorized', message: 'Key not found' } });
    expect(sim.outbox).toHaveLength(0);
    expect(sim.requests.map((r) => r.hadApiKey)).toEqual([false, true]);
  });

  test('429 carries x-sib-ratelimit-{limit,remaining,reset}; 503 is plain text; both send nothing', async () => {
    sim.failNext({ status: 429, resetSeconds: 7 });
    sim.failNext({ status: 503 });
    const r = await post('/v3/transactionalSMS/send', sms);
    expect(r.status).toBe(429);
    expect(r.headers.get('x-sib-ratelimit-remaining')).toBe('0');
    expect(r.headers.get('x-sib-ratelimit-reset')).toBe('7');
    expect(Number(r.headers.get('x-sib-ratelimit-limit'))).toBeGreaterThan(0);
    const u = await post('/v3/transactionalSMS/send', sms);
    expect(u.status).toBe(503);
    expect(u.json).toBeUndefined();
    expect((await post('/v3/transactionalSMS/send', sms)).status).toBe(201);
    expect(sim.outbox).toHaveLength(1);
  });
});

describe('Brevo simulator: email and WhatsApp', () => {
  test('email answers 201 {messageId: "<…@smtp-relay.mailin.fr>"} and decodes attachments', async () => {
    const ics = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n';
    const r = await post('/v3/smtp/email', { ...email, attachment: [{ name: 'rdv.ics', content: Buffer.from(ics).toString('base64') }] });
    expect(r.status).toBe(201);
    expect(r.json.messageId).toMatch(/^<[^<>@]+@smtp-relay\.mailin\.fr>$/);
    const m = sim.outbox[0]!;
    expect(m).toMatchObject({ channel: 'email', to: ['client@example.org'], subject: 'Votre rendez-vous', html: '<p>Confirmé</p>' });
    expect(m.attachments[0]!.name).toBe('rdv.ics');
    expect(m.attachments[0]!.content.toString()).toBe(ics);
  });

  test('email attachment checks: extension and base64', async () => {
    expect((await post('/v3/smtp/email', { ...email, attachment: [{ name: 'x.exe', content: 'AAAA' }] })).json.code).toBe('invalid_parameter');
    expect((await post('/v3/smtp/email', { ...email, attachment: [{ name: 'x.pdf', content: 'not base64!' }] })).json.code).toBe('invalid_parameter');
    expect((await post('/v3/smtp/email', { ...email, to: [{ email: 'nope' }] })).json).toEqual({ code: 'invalid_parameter', message: 'email is not valid in to' });
  });

  test('headers.idempotencyKey: same key within the TTL gives the same messageId and ONE message; after the TTL a new one', async () => {
    const body = { ...email, headers: { idempotencyKey: '6f1c2d7e-0a4b-5c3d-9e8f-112233445566' } };
    const a = await post('/v3/smtp/email', body);
    const b = await post('/v3/smtp/email', body);
    expect(b.json.messageId).toBe(a.json.messageId);
    expect(sim.outbox).toHaveLength(1);
    expect(sim.outbox[0]!.idempotencyKey).toBe('6f1c2d7e-0a4b-5c3d-9e8f-112233445566');
    await new Promise((r) => setTimeout(r, 350));
    const c = await post('/v3/smtp/email', body);
    expect(c.json.messageId).not.toBe(a.json.messageId);
    expect(sim.outbox).toHaveLength(2);
  });

  test('WhatsApp answers 201 {messageId} for a template', async () => {
    const r = await post('/v3/whatsapp/sendMessage', { senderNumber: '33700000000', contactNumbers: ['33612345678'], templateId: 12, params: { DATE: 'lundi' } });
    expect(r.status).toBe(201);
    expect(typeof r.json.messageId).toBe('string');
    expect(sim.outbox[0]).toMatchObject({ channel: 'whatsapp', to: ['33612345678'], templateId: 12, params: { DATE: 'lundi' } });
    expect((await post('/v3/whatsapp/sendMessage', { senderNumber: '33700000000', contactNumbers: [] , templateId: 1 })).json.code).toBe('invalid_parameter');
  });
});

describe('Brevo simulator standalone (`ivr sim brevo`)', () => {
  test('serves the API and GET /_sim/outbox to another process', async () => {
    const root = path.join(__dirname, '..', '..');
    const child = spawn(process.execPath, [path.join(root, 'bin', 'ivr.js'), 'sim', 'brevo', '--port', '0', '--api-key', 'k1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /Brevo simulator on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`simulator exited early (${code})`)));
        setTimeout(() => reject(new Error(`no URL printed; got: ${out}`)), 20_000).unref();
      });
      const sent = await fetch(`${url}/v3/transactionalSMS/send`, { method: 'POST', headers: { 'api-key': 'k1', 'content-type': 'application/json' }, body: JSON.stringify(sms) });
      expect(sent.status).toBe(201);
      const outbox = (await (await fetch(`${url}/_sim/outbox`)).json()) as Array<{ channel: string; to: string[] }>;
      expect(outbox).toEqual([expect.objectContaining({ channel: 'sms', to: ['33612345678'] })]);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }, 30_000);
});
