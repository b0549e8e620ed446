import { brevoConfigFromEnv, createBrevoClient, emailIdempotencyUuid, isGsm7, CLIENT_DEFAULTS, type BrevoConfig } from '../../lib/brevo/client';
import { BrevoNoCredits, BrevoOutcomeUnknown, BrevoRateLimited, BrevoRejected, BrevoUnavailable } from '../../lib/brevo/errors';
import { InMemorySendLedger, type SendLedger } from '../../lib/brevo/ledger';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo';

const KEY = 'xkeysib-client-test';
let sim: BrevoSimulator;
beforeAll(async () => {
  sim = await startBrevoSimulator({ apiKey: KEY });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

function config(over: Partial<BrevoConfig> = {}): BrevoConfig {
  return {
    apiKey: KEY,
    baseUrl: sim.url,
    smsSender: 'CabinetRdv',
    emailSender: { email: 'rdv@cabinet.example', name: 'Cabinet' },
    whatsappSender: '33700000000',
    timeoutMs: 2000,
    maxAttempts: 3,
    ...CLIENT_DEFAULTS,
    backoffBaseMs: 10,
    ...over,
  };
}

const smsIn = (key: string) => ({ to: '+33612345678', content: 'Votre RDV est confirmé lundi à 10h30.', tag: 'rdv-confirm', idempotencyKey: key });
const emailIn = (key: string) => ({
  to: [{ email: 'client@example.org', name: 'Mme Client' }],
  subject: 'Votre rendez-vous',
  html: '<p>Confirmé</p>',
  text: 'Confirmé',
  attachments: [{ name: 'rdv.ics', contentBase64: Buffer.from('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n').toString('base64') }],
  idempotencyKey: key,
});
const waIn = (key: string) => ({ to: '+33612345678', templateId: 7, params: { DATE: 'lundi 23 novembre', HEURE: '10h30' }, idempotencyKey: key });

describe('Brevo client: shapes sent', () => {
  test('SMS goes to /v3/transactionalSMS/send with sender, digits-only recipient, transactional type and a key tag', async () => {
    const client = createBrevoClient(config(), { ledger: new InMemorySendLedger() });
    const r = await client.sendSms(smsIn('sms-1'));
    expect(r.deduplicated).toBe(false);
    expect(sim.outbox).toHaveLength(1);
    expect(sim.outbox[0]).toMatchObject({ channel: 'sms', endpoint: '/v3/transactionalSMS/send', sender: 'CabinetRdv', to: ['33612345678'], tag: ['rdv-confirm', 'key:sms-1'], messageId: r.messageId });
    expect(sim.requests[0]!.body).toMatchObject({ type: 'transactional', unicodeEnabled: false });
  });

  test('email carries sender, recipients, html/text, decoded attachment and a UUID idempotency key derived from ours', async () => {
    const client = createBrevoClient(config(), { ledger: new InMemorySendLedger() });
    const r = await client.sendEmail(emailIn('confirm:wf-42:email'));
    expect(r.messageId).toMatch(/@smtp-relay\.mailin\.fr>$/);
    const m = sim.outbox[0]!;
    expect(m).toMatchObject({ channel: 'email', sender: 'rdv@cabinet.example', to: ['client@example.org'], subject: 'Votre rendez-vous', html: '<p>Confirmé</p>', text: 'Confirmé' });
    expect(m.attachments[0]!.content.toString()).toBe('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    expect(m.idempotencyKey).toBe(emailIdempotencyUuid('confirm:wf-42:email'));
    expect(m.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(emailIdempotencyUuid('confirm:wf-42:email')).not.toBe(emailIdempotencyUuid('confirm:wf-43:email'));
  });

  test('WhatsApp template goes with senderNumber, contactNumbers and params', async () => {
    const client = createBrevoClient(config(), { ledger: new InMemorySendLedger() });
    const r = await client.sendWhatsAppTemplate(waIn('wa-1'));
    expect(sim.outbox[0]).toMatchObject({ channel: 'whatsapp', sender: '33700000000', to: ['33612345678'], templateId: 7, params: { DATE: 'lundi 23 novembre', HEURE: '10h30' }, messageId: r.messageId });
  });

  test('invalid input is refused before any claim or request', async () => {
    const ledger = new InMemorySendLedger();
    const client = createBrevoClient(config(), { ledger });
    await expect(client.sendSms({ ...smsIn('bad-1'), to: '0612345678' })).rejects.toThrow(/to must be an E\.164 number/);
    await expect(client.sendEmail({ ...emailIn('bad-2'), attachments: [{ name: 'rdv', contentBase64: 'AAAA' }] })).rejects.toThrow(BrevoRejected);
    expect(ledger.snapshot()).toEqual([]);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('Brevo client: one message per idempotency key', () => {
  test.each([
    ['sms', (c: ReturnType<typeof createBrevoClient>) => c.sendSms(smsIn('same-sms'))],
    ['email', (c: ReturnType<typeof createBrevoClient>) => c.sendEmail(emailIn('same-email'))],
    ['whatsapp', (c: ReturnType<typeof createBrevoClient>) => c.sendWhatsAppTemplate(waIn('same-wa'))],
  ])('%s: the same key twice sends ONE message and returns the same messageId', async (_channel, send) => {
    const client = createBrevoClient(config(), { ledger: new InMemorySendLedger() });
    const first = await send(client);
    const second = await send(client);
    expect(first.deduplicated).toBe(false);
    expect(second).toEqual({ messageId: first.messageId, deduplicated: true });
    expect(sim.outbox).toHaveLength(1);
    expect(sim.requests).toHaveLength(1);
  });
});

describe('Brevo client: failures', () => {
  test('a wrong API key is BrevoRejected 401 with a hint, not retried, and the key is released', async () => {
    const ledger = new InMemorySendLedger();
    const err = await createBrevoClient(config({ apiKey: 'xkeysib-wrong' }), { ledger }).sendSms(smsIn('auth-1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrevoRejected);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
    expect((err as Error).message).toMatch(/Key not found.*Check BREVO_API_KEY/);
    expect(sim.requests).toHaveLength(1);
    // Released: the same key can be sent once the configuration is fixed.
    await createBrevoClient(config(), { ledger }).sendSms(smsIn('auth-1'));
    expect(sim.outbox).toHaveLength(1);
  });

  test('429 then success: waits for x-sib-ratelimit-reset, then ONE message', async () => {
    sim.failNext({ status: 429, resetSeconds: 0.3 });
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const r = await createBrevoClient(config(), { ledger: new InMemorySendLedger(), sleep }).sendSms(smsIn('rl-1'));
    // The one wait is the reset Brevo announced (recorded, not timed: a loaded machine makes clocks lie).
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(290);
    expect(waits[0]).toBeLessThanOrEqual(300);
    expect(r.deduplicated).toBe(false);
    expect(sim.requests.map((q) => q.status)).toEqual([429, 201]);
    expect(sim.outbox).toHaveLength(1);
  });

  test('429 with a reset beyond the bound is BrevoRateLimited (retryable, retryAfterMs) without waiting', async () => {
    sim.failNext({ status: 429, resetSeconds: 60 });
    const ledger = new InMemorySendLedger();
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const err = await createBrevoClient(config({ maxRateLimitWaitMs: 5000 }), { ledger, sleep }).sendEmail(emailIn('rl-2')).catch((e: unknown) => e);
    expect(waits).toEqual([]);
    expect(err).toBeInstanceOf(BrevoRateLimited);
    expect(err).toMatchObject({ retryAfterMs: 60_000, retryable: true });
    expect(ledger.snapshot()).toEqual([]);
    expect(sim.outbox).toHaveLength(0);
  });

  test('402 is BrevoNoCredits: clear, non-retryable, sent once', async () => {
    sim.setSmsCredits(0);
    const err = await createBrevoClient(config(), { ledger: new InMemorySendLedger() }).sendSms(smsIn('nc-1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrevoNoCredits);
    expect(err).toMatchObject({ status: 402, code: 'not_enough_credits', retryable: false });
    expect((err as Error).message).toMatch(/no credits left.*Buy credits/);
    expect(sim.requests).toHaveLength(1);
  });

  test('5xx is retried with backoff until success, and sends one message', async () => {
    sim.failNext({ status: 500 });
    sim.failNext({ status: 503 });
    const r = await createBrevoClient(config(), { ledger: new InMemorySendLedger() }).sendWhatsAppTemplate(waIn('5xx-1'));
    expect(sim.requests.map((q) => q.status)).toEqual([500, 503, 201]);
    expect(sim.outbox).toHaveLength(1);
    expect(sim.outbox[0]!.messageId).toBe(r.messageId);
  });

  test('5xx beyond the attempts is BrevoUnavailable (retryable) and releases the key', async () => {
    sim.failNext({ status: 503, times: 3 });
    const ledger = new InMemorySendLedger();
    const err = await createBrevoClient(config(), { ledger }).sendSms(smsIn('5xx-2')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrevoUnavailable);
    expect(err).toMatchObject({ status: 503, retryable: true });
    expect(sim.requests).toHaveLength(3);
    expect(ledger.snapshot()).toEqual([]);
  });

  test('a refused connection is retried, then BrevoUnavailable; nothing was sent so the key is free', async () => {
    const closed = await startBrevoSimulator();
    const url = closed.url;
    await closed.stop();
    const ledger = new InMemorySendLedger();
    const err = await createBrevoClient(config({ baseUrl: url }), { ledger }).sendSms(smsIn('net-1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrevoUnavailable);
    expect(err).toMatchObject({ code: 'network' });
    expect(ledger.snapshot()).toEqual([]);
  });
});

describe('Brevo client: lost answers (timeouts) and crashes', () => {
  test('SMS: Brevo accepts but the answer times out → BrevoOutcomeUnknown; retries never send a second SMS', async () => {
    sim.delayNext(600);
    let clock = Date.now();
    const ledger = new InMemorySendLedger(() => new Date(clock));
    const client = createBrevoClient(config({ timeoutMs: 150 }), { ledger, now: () => clock });
    const err = await client.sendSms(smsIn('to-1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrevoOutcomeUnknown);
    expect(err).toMatchObject({ needsHuman: true, retryable: false, idempotencyKey: 'to-1', channel: 'sms' });
    expect(sim.outbox).toHaveLength(1);
    // An immediate activity retry sees a young claim: "in flight", retryable, nothing sent.
    await expect(client.sendSms(smsIn('to-1'))).rejects.toMatchObject({ code: 'in_flight', retryable: true });
    // Later, the claim is an interrupted send: a human decides; still nothing sent.
    clock += CLIENT_DEFAULTS.inFlightWindowMs + 1000;
    await expect(client.sendSms(smsIn('to-1'))).rejects.toBeInstanceOf(BrevoOutcomeUnknown);
    await new Promise((r) => setTimeout(r, 600));
    expect(sim.outbox).toHaveLength(1);
    expect(sim.requests).toHaveLength(1);
  });

  test('email: the answer times out, the client re-sends with the same idempotency key and Brevo keeps ONE email', async () => {
    sim.delayNext(500);
    const r = await createBrevoClient(config({ timeoutMs: 150 }), { ledger: new InMemorySendLedger() }).sendEmail(emailIn('to-2'));
    await new Promise((res) => setTimeout(res, 450));
    expect(sim.requests.length).toBeGreaterThanOrEqual(2);
    expect(sim.outbox).toHaveLength(1);
    expect(r.messageId).toBe(sim.outbox[0]!.messageId);
  });

  test('crash after Brevo accepted but before complete(): email is re-sent safely (Brevo dedupes), SMS is not re-sent', async () => {
    const ledger = new InMemorySendLedger();
    const crashing: SendLedger = {
      claim: (k, c) => ledger.claim(k, c),
      complete: async () => {
        throw new Error('worker crashed');
      },
      release: (k) => ledger.release(k),
    };
    const before = createBrevoClient(config(), { ledger: crashing });
    await expect(before.sendEmail(emailIn('crash-email'))).rejects.toThrow('worker crashed');
    await expect(before.sendSms(smsIn('crash-sms'))).rejects.toThrow('worker crashed');
    expect(sim.outbox).toHaveLength(2);

    const after = createBrevoClient(config(), { ledger });
    const email = await after.sendEmail(emailIn('crash-email'));
    expect(email.messageId).toBe(sim.outbox[0]!.messageId);
    await expect(after.sendSms(smsIn('crash-sms'))).rejects.toMatchObject({ code: 'in_flight' });
    expect(sim.outbox.map((m) => m.channel)).toEqual(['email', 'sms']);
  });
});

describe('Brevo configuration from the environment', () => {
  const base = { BREVO_API_KEY: 'k', BREVO_SMS_SENDER: 'CabinetRdv', BREVO_EMAIL_SENDER: 'Cabinet Dupont <rdv@cabinet.example>' };

  test('defaults and the "Name <address>" sender form', () => {
    const c = brevoConfigFromEnv(base);
    expect(c).toMatchObject({ baseUrl: 'https://api.brevo.com', smsSender: 'CabinetRdv', emailSender: { email: 'rdv@cabinet.example', name: 'Cabinet Dupont' }, timeoutMs: 10_000, maxAttempts: 3 });
    expect(c.whatsappSender).toBeUndefined();
    expect(brevoConfigFromEnv({ ...base, BREVO_WHATSAPP_SENDER: '+33700000000' }).whatsappSender).toBe('33700000000');
  });

  test('names every wrong variable', () => {
    expect(() => brevoConfigFromEnv({ ...base, BREVO_SMS_SENDER: 'Cabinet Médical' })).toThrow(/BREVO_SMS_SENDER: .*1–11 letters\/digits/);
    expect(() => brevoConfigFromEnv({ ...base, BREVO_SMS_SENDER: 'CabinetRdv123' })).toThrow(/BREVO_SMS_SENDER/);
    expect(() => brevoConfigFromEnv({ BREVO_SMS_SENDER: 'X', BREVO_EMAIL_SENDER: 'nope' })).toThrow(/BREVO_API_KEY[\s\S]*BREVO_EMAIL_SENDER/);
  });

  test('GSM-7 detection decides unicode SMS', () => {
    expect(isGsm7('Votre RDV est confirmé à 10h30 €')).toBe(true);
    expect(isGsm7('Rendez-vous ✔')).toBe(false);
    expect(isGsm7('ç')).toBe(false); // only capital Ç is GSM-7
  });
});
