/**
 * Voice → CRM capture end to end on Odoo 19 (simulator): HTTP routes → crmCaptureWorkflow on the Temporal dev
 * server → activities → Odoo JSON-RPC. Speech is real French audio from espeak-ng, transcribed by the
 * OpenAI-compatible simulator (which is told the transcript of that audio, since it cannot hear).
 */
import crypto from 'node:crypto';
import { silentWav } from '../../lib/audio/wav';
import { capturedPartners, getJson, postAudio, postJson, speak, startHarness, withOperator, type Harness } from './harness';

const SEED = "Je m'appelle Lina Andrianina, mon email lina@exemple.com, mon téléphone +261 32 12 34 567.";
const READBACK = "J'ai noté Lina Andrianina, lina arobase exemple point com, plus 261 32 12 34 567.";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ version: 19, limits: { maxAudioBytes: 600_000, captureWaitMs: 5_000 }, odooTimeoutMs: 400 });
}, 120_000);
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  // every test starts from an empty CRM (the simulator's own admin/company partners stay)
  for (const lead of h.odooSim.records('crm.lead')) h.odooSim.database.unlink('crm.lead', [lead.id as number]);
  for (const p of capturedPartners(h.odooSim)) h.odooSim.database.unlink('res.partner', [p.id as number]);
  for (const p of h.odooSim.records('res.partner').filter((r) => r.email === 'jean.morel@exemple.fr')) h.odooSim.database.unlink('res.partner', [p.id as number]);
  h.odooSim.resetCalls();
  h.openai.reset();
  h.openai.setChatAnswer({ firstname: null, lastname: null, email: null, phone: null });
  for (const k of Object.keys(h.wrap)) delete h.wrap[k as keyof typeof h.wrap];
  delete h.hooks.beforeOdooCall;
});

const key = () => crypto.randomUUID();

describe('text capture', () => {
  test('creates the partner and its lead as seed 000 maps them (Odoo 19: no mobile)', async () => {
    const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': key() });
    expect(r.status).toBe(201);
    expect(r.body.extracted).toEqual({ firstname: 'Lina', lastname: 'Andrianina', email: 'lina@exemple.com', phone: '+261321234567' });
    expect(r.body.partner).toMatchObject({ created: true });
    expect(r.body.readback).toBe(READBACK);
    expect(r.body.readback_question).toBe(`${READBACK} C'est correct ?`);
    expect(r.body.needs_check).toEqual([]);
    const [partner, ...others] = capturedPartners(h.odooSim);
    expect(others).toEqual([]);
    expect(partner).toMatchObject({ id: r.body.partner.id, name: 'Lina Andrianina', email: 'lina@exemple.com', phone: '+261321234567', type: 'contact', is_company: false });
    expect('mobile' in partner!).toBe(false);
    const leads = h.odooSim.records('crm.lead');
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({
      id: r.body.lead.id, partner_id: r.body.partner.id, contact_name: 'Lina Andrianina', email_from: 'lina@exemple.com', phone: '+261321234567', type: 'lead',
    });
    const description = String(leads[0]!.description);
    expect(description).toContain('Capté par interface vocale');
    // the transcript is quoted HTML-escaped
    expect(description).toContain('Je m&#39;appelle Lina Andrianina');
    expect(description).not.toContain("m'appelle");
  });

  test('a duplicate by e-mail (any case) is matched, not created, left unchanged, and its open lead is updated', async () => {
    const first = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': key() });
    expect(first.status).toBe(201);
    h.odooSim.resetCalls();
    const again = await postJson(h.baseUrl, '/crm/text-contacts', { text: "Je m'appelle Lina Andrianina, mon email LINA@Exemple.com." }, { 'idempotency-key': key() });
    expect(again.status).toBe(200);
    expect(again.body.partner).toEqual({ id: first.body.partner.id, created: false, matched_by: 'email' });
    expect(again.body.deduplicated).toBe(true);
    expect(h.odooSim.callCount('res.partner', 'create')).toBe(0);
    expect(h.odooSim.callCount('res.partner', 'write')).toBe(0);
    expect(capturedPartners(h.odooSim)).toHaveLength(1);
    // the capture within CRM_LEAD_DEDUP_HOURS updates the lead the first one created
    expect(again.body.lead).toEqual({ id: first.body.lead.id, created: false, updated: true });
    expect(first.body.lead).toEqual({ id: first.body.lead.id, created: true, updated: false });
    const leads = h.odooSim.records('crm.lead');
    expect(leads).toHaveLength(1);
    expect(leads[0]!.partner_id).toBe(first.body.partner.id);
    expect(String(leads[0]!.description)).toContain(`[capture:${again.body.capture_id}]`);
  });

  test('a duplicate by phone said another way is matched', async () => {
    const first = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': key() });
    const again = await postJson(h.baseUrl, '/crm/text-contacts', {
      text: "C'est Lina Andrianina, mon téléphone c'est le plus deux cent soixante et un trente-deux douze trente-quatre cinq cent soixante-sept.",
    }, { 'idempotency-key': key() });
    expect(again.status).toBe(200);
    expect(again.body.extracted.phone).toBe('+261321234567');
    expect(again.body.partner).toEqual({ id: first.body.partner.id, created: false, matched_by: 'phone' });
    expect(capturedPartners(h.odooSim)).toHaveLength(1);
  });

  test('a phone the model invents is dropped, flagged, and never reaches Odoo', async () => {
    h.openai.setChatAnswer({ firstname: 'Lina', lastname: 'Andrianina', email: 'lina@exemple.com', phone: '+261 32 99 88 777' });
    const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: "Je m'appelle Lina Andrianina, mon email lina@exemple.com." }, { 'idempotency-key': key() });
    expect(h.openai.chats.length).toBeGreaterThan(0);
    expect(r.status).toBe(201);
    expect(r.body.extracted.phone).toBeNull();
    expect(r.body.dropped).toEqual(['phone']);
    expect(r.body.needs_check).toContain('phone');
    const [partner] = capturedPartners(h.odooSim);
    expect(partner!.phone).toBe(false);
    expect(h.odooSim.records('crm.lead')[0]!.phone).toBe(false);
    expect(JSON.stringify(h.odooSim.records('res.partner'))).not.toContain('998877');
  });

  test('a dictation without a name or a way to reach the person is 422 and writes nothing', async () => {
    const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: "Bonjour, je voudrais m'inscrire." }, { 'idempotency-key': key() });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'contact_incomplete', missing: ['name', 'email_or_phone'] });
    expect(h.odooSim.callCount('res.partner', 'create') + h.odooSim.callCount('crm.lead', 'create')).toBe(0);
  });

  test('bad bodies are 400 with the field paths', async () => {
    const r = await postJson(h.baseUrl, '/crm/text-contacts', { dry_run: false, contact: { firstname: 'Lina', phone: '12', email: 'pas-un-email' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    const paths = (r.body.error.fields as Array<{ path: string }>).map((f) => f.path).sort();
    expect(paths).toEqual(['body.contact.email', 'body.contact.phone']);
    const none = await postJson(h.baseUrl, '/crm/text-contacts', { dry_run: false });
    expect(none.status).toBe(400);
    expect(none.body.error.fields).toEqual([{ path: 'body.text', message: expect.stringContaining('required') }]);
    const badKey = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': 'a b' });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.fields[0].path).toBe('headers.idempotency-key');
  });
});

describe('durability and idempotency', () => {
  test('Odoo failing on the lead create: the retry completes with one partner and one lead', async () => {
    await h.primeWorkerFields('res.partner', 'crm.lead');
    let armed = true;
    h.hooks.beforeOdooCall = (model, method) => {
      if (armed && model === 'crm.lead' && method === 'create') {
        armed = false;
        h.odooSim.failNext({ kind: 'http500' });
      }
    };
    const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': key() });
    expect(armed).toBe(false);
    expect(r.status).toBe(201);
    expect(capturedPartners(h.odooSim)).toHaveLength(1);
    expect(h.odooSim.records('crm.lead')).toHaveLength(1);
    expect(h.odooSim.callCount('res.partner', 'create')).toBe(1);
    expect(h.odooSim.records('crm.lead')[0]!.partner_id).toBe(r.body.partner.id);
    expect(h.odooSim.calls.filter((c) => c.model === 'crm.lead' && c.method === 'search_read')).toHaveLength(2);
  });

  test('a lead create whose answer is lost (client timeout) is found by its marker, not created twice', async () => {
    await h.primeWorkerFields('res.partner', 'crm.lead');
    let armed = true;
    h.hooks.beforeOdooCall = (model, method) => {
      if (armed && model === 'crm.lead' && method === 'create') {
        armed = false;
        h.odooSim.failNext({ kind: 'delay', ms: 550 }); // the client gives up after 400 ms
      }
    };
    const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': key() });
    expect(armed).toBe(false);
    expect(r.status).toBe(201);
    await new Promise((res) => setTimeout(res, 300)); // let a late create land, if the server ran it
    expect(h.odooSim.records('crm.lead')).toHaveLength(1);
    expect(capturedPartners(h.odooSim)).toHaveLength(1);
    expect(r.body.lead.id).toBe(h.odooSim.records('crm.lead')[0]!.id);
    // the step ran twice (the lost answer was retried), and each attempt looked for the marker first
    expect(h.odooSim.calls.filter((c) => c.model === 'crm.lead' && c.method === 'search_read')).toHaveLength(2);
  });

  test('the same Idempotency-Key twice gives the same answer and one partner; with another body it is refused', async () => {
    const k = key();
    const a = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': k });
    const b = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': k });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(a.body.capture_id).toBe(`crm-capture-${k}`);
    expect(capturedPartners(h.odooSim)).toHaveLength(1);
    expect(h.odooSim.records('crm.lead')).toHaveLength(1);
    const c = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED.replace('Lina', 'Line') }, { 'idempotency-key': k });
    expect(c.status).toBe(422);
    expect(c.body.error.code).toBe('idempotency_key_reused');
  });

  test('a capture slower than the wait answers 504 capture_pending; the same key later gets its result', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    h.wrap.crmCreateLead = async (real, input) => {
      await gate;
      return real(input);
    };
    const k = key();
    const pending = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': k });
    expect(pending.status).toBe(504);
    expect(pending.body.error).toMatchObject({ code: 'capture_pending', capture_id: `crm-capture-${k}`, idempotency_key: k });
    open();
    const done = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': k });
    expect(done.status).toBe(201);
    expect(capturedPartners(h.odooSim)).toHaveLength(1);
    expect(h.odooSim.records('crm.lead')).toHaveLength(1);
  });

  test('concurrent requests with one key join one capture', async () => {
    const k = key();
    const [a, b] = await Promise.all([
      postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': k }),
      postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': k }),
    ]);
    expect(a.body.partner.id).toBe(b.body.partner.id);
    expect(capturedPartners(h.odooSim)).toHaveLength(1);
    expect(h.odooSim.records('crm.lead')).toHaveLength(1);
  });
});

test('consent on a server without the x_consent_* fields is still logged as a chatter note', async () => {
  const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED, consent: { whatsapp: true } }, { 'idempotency-key': key() });
  expect(r.status).toBe(201);
  expect(r.body.consents).toEqual([{ channel: 'whatsapp', granted: true, source: 'request' }]);
  const notes = h.odooSim.records('mail.message').filter((m) => m.model === 'res.partner' && m.res_id === r.body.partner.id);
  expect(notes).toHaveLength(1);
  expect(String(notes[0]!.body)).toContain('Consentement WhatsApp accordé');
  expect(String(notes[0]!.body)).toContain('version crm-contact-v1');
  expect(h.odooSim.callCount('res.partner', 'write')).toBe(0);
});

describe('voice capture', () => {
  test('French speech (espeak-ng) → transcript → contact in Odoo', async () => {
    const wav = speak("Je m'appelle Lina Andrianina, mon email lina arobase exemple point com, mon téléphone plus 261 32 12 34 567.");
    h.openai.registerTranscript(wav, SEED);
    const r = await postAudio(h.baseUrl, wav, 'dictee.wav', { call_id: 'call-42' }, { 'idempotency-key': key() });
    expect(r.status).toBe(201);
    expect(r.body.transcript).toBe(SEED);
    expect(r.body.extracted).toEqual({ firstname: 'Lina', lastname: 'Andrianina', email: 'lina@exemple.com', phone: '+261321234567' });
    expect(h.openai.transcriptions).toHaveLength(1);
    expect(h.openai.transcriptions[0]).toMatchObject({ model: 'whisper-1', language: 'fr', fileSha256: crypto.createHash('sha256').update(wav).digest('hex') });
    expect(capturedPartners(h.odooSim)).toHaveLength(1);
    expect(String(h.odooSim.records('crm.lead')[0]!.description)).toContain('Appel : call-42');
  });

  test('a webm/opus recording (the browser format) goes through by its magic bytes', async () => {
    // an EBML header then opaque bytes: the container is recognised locally; the simulator serves the transcript
    const webm = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), crypto.randomBytes(4000)]);
    h.openai.registerTranscript(webm, "Ici Jean Morel, mon email jean.morel@exemple.fr.");
    const r = await postAudio(h.baseUrl, webm, 'blob', {}, { 'idempotency-key': key() });
    expect(r.status).toBe(201);
    expect(r.body.extracted).toMatchObject({ firstname: 'Jean', lastname: 'Morel', email: 'jean.morel@exemple.fr', phone: null });
    expect(h.openai.transcriptions[0]).toMatchObject({ fileName: 'dictee.webm', fileSize: webm.length });
  });

  test('a speech-to-text outage is retried by the workflow; one transcript, one contact', async () => {
    const wav = speak('Je m appelle Jean Morel, mon email jean point morel arobase exemple point fr.');
    h.openai.registerTranscript(wav, "Je m'appelle Jean Morel, mon email jean.morel@exemple.fr.");
    h.openai.failNext({ status: 503, endpoint: 'transcriptions' });
    const r = await postAudio(h.baseUrl, wav, 'dictee.wav', {}, { 'idempotency-key': key() });
    expect(r.status).toBe(201);
    expect(h.openai.transcriptions.map((t) => t.status)).toEqual([503, 200]);
    expect(h.odooSim.records('res.partner').filter((p) => p.email === 'jean.morel@exemple.fr')).toHaveLength(1);
  });

  test('text bytes sent as audio are 422, with no transcription and no Odoo write', async () => {
    const r = await postAudio(h.baseUrl, Buffer.from(SEED, 'utf8'), 'dictee.webm', {}, { 'idempotency-key': key() });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'audio_rejected', problem: 'unknown_format' });
    expect(h.openai.transcriptions).toHaveLength(0);
    expect(h.odooSim.calls.filter((c) => c.method === 'create' || c.method === 'write')).toEqual([]);
  });

  test('a recording above the size limit is 413 (announced and streamed)', async () => {
    const big = silentWav(40_000, { sampleRate: 8000, channels: 1, bitsPerSample: 16 }); // 640 kB > 600 kB
    const r = await postAudio(h.baseUrl, big, 'long.wav', {}, { 'idempotency-key': key() });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('audio_too_large');
    const justOver = silentWav(37_600, { sampleRate: 8000, channels: 1, bitsPerSample: 16 }); // within the multipart overhead
    const s = await postAudio(h.baseUrl, justOver, 'long.wav', {}, { 'idempotency-key': key() });
    expect(s.status).toBe(413);
    expect(h.openai.transcriptions).toHaveLength(0);
    expect(h.odooSim.calls.filter((c) => c.method === 'create')).toEqual([]);
  });

  test('a non-multipart upload is 415', async () => {
    const res = await fetch(`${h.baseUrl}/crm/voice-contacts`, { method: 'POST', headers: withOperator(h.baseUrl, { 'content-type': 'audio/wav' }), body: silentWav(500) });
    expect(res.status).toBe(415);
  });
});

describe('the voice-crm machine contract', () => {
  test('preview, correction, then create from the confirmed draft', async () => {
    const p = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED, dry_run: true, call_id: 'call-7', session_id: '' });
    expect(p.status).toBe(200);
    expect(p.body.contact).toEqual({ firstname: 'Lina', lastname: 'Andrianina', email: 'lina@exemple.com', phone: '+261321234567', needs_check: [] });
    expect(p.body.readback).toBe(READBACK);
    expect(h.odooSim.calls.filter((c) => c.method === 'create' || c.method === 'write')).toEqual([]);

    const e = await postJson(h.baseUrl, '/crm/text-contacts', { dry_run: true, draft: p.body.contact, field: 'email', text: 'lina point r arobase exemple point com' });
    expect(e.status).toBe(200);
    expect(e.body.contact).toMatchObject({ firstname: 'Lina', lastname: 'Andrianina', email: 'lina.r@exemple.com', phone: '+261321234567' });
    expect(e.body.readback).toBe("J'ai noté Lina Andrianina, lina point r arobase exemple point com, plus 261 32 12 34 567.");

    const ph = await postJson(h.baseUrl, '/crm/text-contacts', { dry_run: true, draft: e.body.contact, field: 'phone', text: 'zéro six douze trente-quatre cinquante-six soixante-dix-huit' });
    expect(ph.body.contact.phone).toBe('+33612345678');
    const n = await postJson(h.baseUrl, '/crm/text-contacts', { dry_run: true, draft: ph.body.contact, field: 'name', text: 'Lina Rakotomalala' });
    expect(n.body.contact).toMatchObject({ firstname: 'Lina', lastname: 'Rakotomalala' });
    const bad = await postJson(h.baseUrl, '/crm/text-contacts', { dry_run: true, draft: n.body.contact, field: 'phone', text: 'je ne sais plus' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('correction_not_understood');

    const c = await postJson(h.baseUrl, '/crm/text-contacts', { dry_run: false, contact: n.body.contact, source: 'voice', call_id: 'call-7', session_id: 's-1' }, { 'idempotency-key': key() });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ deduplicated: false, partner_id: expect.any(Number), lead_id: expect.any(Number) });
    expect(h.odooSim.records('res.partner').find((r) => r.id === c.body.partner_id)).toMatchObject({ name: 'Lina Rakotomalala', email: 'lina.r@exemple.com', phone: '+33612345678' });
    const again = await postJson(h.baseUrl, '/crm/text-contacts', { dry_run: false, contact: n.body.contact, source: 'voice', call_id: 'call-8' }, { 'idempotency-key': key() });
    expect(again.body).toMatchObject({ deduplicated: true, partner_id: c.body.partner_id });
  });

  test('a preview of words without any contact detail is 422 (the machine asks again)', async () => {
    const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: 'euh je ne sais pas', dry_run: true });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('nothing_understood');
  });

  test('GET /crm/contacts lists the newest first with a spoken summary; q filters', async () => {
    await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': key() });
    await postJson(h.baseUrl, '/crm/text-contacts', { text: "Je m'appelle Jean Morel, mon email jean.morel@exemple.fr." }, { 'idempotency-key': key() });
    const r = await getJson(h.baseUrl, '/crm/contacts?limit=5');
    expect(r.status).toBe(200);
    const names = (r.body.contacts as Array<{ name: string }>).map((c) => c.name);
    expect(names.indexOf('Jean Morel')).toBeLessThan(names.indexOf('Lina Andrianina'));
    expect(names.indexOf('Jean Morel')).toBe(0);
    expect(r.body.count).toBe(r.body.contacts.length);
    expect(r.body.summary_voice).toMatch(/^Jean Morel, jean point morel arobase exemple point fr ; Lina Andrianina, plus 261 32 12 34 567/);
    const q = await getJson(h.baseUrl, '/crm/contacts?q=exemple.com');
    expect(q.body.contacts.map((c: { name: string }) => c.name)).toEqual(['Lina Andrianina']);
    const byPhone = await getJson(h.baseUrl, `/crm/contacts?q=${encodeURIComponent('+261 32 12 34 567')}`);
    expect(byPhone.body.contacts.map((c: { name: string }) => c.name)).toEqual(['Lina Andrianina']);
    const leads = await getJson(h.baseUrl, '/crm/leads?limit=5');
    expect(leads.body.count).toBe(2);
    expect(leads.body.leads[0]).toMatchObject({ contact_name: 'Jean Morel', partner: { id: expect.any(Number), name: 'Jean Morel' } });
    const bad = await getJson(h.baseUrl, '/crm/contacts?limit=500');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('query.limit');
  });

  test('Odoo down on a list is 502 in the API error shape', async () => {
    h.odooSim.failNext({ kind: 'http502', times: 5 });
    const r = await getJson(h.baseUrl, '/crm/contacts');
    expect(r.status).toBe(502);
    expect(r.body.error).toMatchObject({ code: 'odoo_unavailable', request_id: expect.any(String) });
  });
});
