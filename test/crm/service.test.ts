/**
 * The CRM service behind the /crm routes, without HTTP, Odoo or Temporal: the listing queries it sends (search by
 * name, e-mail or a number in any spelling; paging; newest first), how it reads the rows back, and the one capture
 * input both the text and the recording routes start a workflow with.
 */
import type { Client } from '@temporalio/client';
import { fingerprint } from '../../api/crm/capture';
import { CrmService, type CrmServiceDeps } from '../../api/crm/service';
import { textContactsSchema, voiceFormSchema } from '../../api/crm/schemas';
import type { CrmExtractor } from '../../lib/crm/extractor';
import type { CaptureInput, CaptureResult } from '../../lib/crm/types';
import { CONTACT_FIELDS } from '../../lib/french/contact';
import { partnerPhoneDomain } from '../../lib/odoo/phone-search';

interface KwCall { model: string; method: string; args: unknown[]; kwargs: Record<string, unknown> }

function fakeOdoo(rows: Array<Record<string, unknown>>, partnerFields: Record<string, unknown>) {
  const calls: KwCall[] = [];
  return {
    calls,
    port: {
      fields: async () => partnerFields,
      callKw: async <T>(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => {
        calls.push({ model, method, args, kwargs });
        return rows as T;
      },
    } as CrmServiceDeps['odoo'],
  };
}

/** A Temporal client whose capture workflows finish at once, keeping the inputs they were started with. */
function fakeTemporal() {
  const started: Array<{ workflowId: string; input: CaptureInput }> = [];
  const client = {
    workflow: {
      start: async (_name: string, o: { workflowId: string; args: [CaptureInput] }) => {
        started.push({ workflowId: o.workflowId, input: o.args[0] });
        const result: CaptureResult = {
          status: 'created', capture_id: o.workflowId, transcript: null, extracted: { firstname: 'Lina', lastname: null, email: null, phone: null },
          needs_check: [], dropped: [], missing: [], partner: { id: 7, created: true, matched_by: null }, lead: null, consents: [],
          extraction: 'given', fingerprint: o.args[0].fingerprint,
        };
        return { result: async () => result };
      },
    },
  };
  return { started, client: client as unknown as Client };
}

const noExtraction: CrmExtractor = { extract: async () => { throw new Error('not used in this test'); } };

function service(odoo: CrmServiceDeps['odoo'], temporal = fakeTemporal().client, transcriberEnabled = true) {
  return new CrmService({
    odoo, extraction: noExtraction, temporalClient: temporal, taskQueue: 'crm-unit',
    transcriber: { enabled: transcriberEnabled, transcribe: async () => { throw new Error('not used in this test'); } },
  });
}

const PARTNER_FIELDS = { name: {}, email: {}, phone: {}, phone_sanitized: {}, phone_mobile_search: {}, partner_share: {} };
/** Customers only: no partner of an internal user. */
const CUSTOMERS = [['is_company', '=', false], ['partner_share', '=', true]];

describe('listing contacts', () => {
  test('a number in any spelling is searched with the phone domain of every stored spelling, newest first, paged', async () => {
    const odoo = fakeOdoo([], PARTNER_FIELDS);
    await service(odoo.port).listContacts({ limit: 3, q: '06 12 34 56 78' });
    expect(odoo.calls).toEqual([{
      model: 'res.partner', method: 'search_read',
      args: [[...CUSTOMERS, ...partnerPhoneDomain('+33612345678', PARTNER_FIELDS)]],
      kwargs: { fields: ['id', 'name', 'email', 'phone', 'create_date'], limit: 3, order: 'id desc' },
    }]);
  });

  test('a name or an e-mail is searched in name, email and phone; mobile is read where the server has it', async () => {
    const odoo = fakeOdoo([], { ...PARTNER_FIELDS, mobile: {} });
    await service(odoo.port).listContacts({ limit: 10, q: 'lina' });
    expect(odoo.calls[0]!.args).toEqual([[...CUSTOMERS, '|', '|', ['name', 'ilike', 'lina'], ['email', 'ilike', 'lina'], ['phone', 'ilike', 'lina']]]);
    expect(odoo.calls[0]!.kwargs.fields).toEqual(['id', 'name', 'email', 'phone', 'mobile', 'create_date']);
  });

  test('rows are read back with absent values as null and the mobile when there is no phone', async () => {
    const odoo = fakeOdoo([{ id: 4, name: false, email: ' ', phone: false, mobile: '+261321234567', create_date: '2026-01-02 10:00:00' }], PARTNER_FIELDS);
    expect(await service(odoo.port).listContacts({ limit: 10 })).toEqual([
      { id: 4, name: '', email: null, phone: '+261321234567', created_at: '2026-01-02 10:00:00' },
    ]);
    expect(odoo.calls[0]!.args).toEqual([CUSTOMERS]);
  });

  test('a server without partner_share: persons with no user at all', async () => {
    const { partner_share: _, ...older } = PARTNER_FIELDS;
    const odoo = fakeOdoo([], older);
    await service(odoo.port).listContacts({ limit: 10 });
    expect(odoo.calls[0]!.args).toEqual([[['is_company', '=', false], ['user_ids', '=', false]]]);
  });
});

describe('listing leads', () => {
  test('q is searched as text in name, contact, e-mail and phone (even digits), and the partner is read from its many2one', async () => {
    const odoo = fakeOdoo([{ id: 9, name: 'Lina', contact_name: false, email_from: 'l@x.fr', phone: false, partner_id: [7, 'Lina A'], type: 'lead', create_date: false }], {});
    const leads = await service(odoo.port).listLeads({ limit: 5, q: '0612345678' });
    expect(odoo.calls[0]).toEqual({
      model: 'crm.lead', method: 'search_read',
      args: [['|', '|', '|', ['name', 'ilike', '0612345678'], ['contact_name', 'ilike', '0612345678'], ['email_from', 'ilike', '0612345678'], ['phone', 'ilike', '0612345678']]],
      kwargs: { fields: ['id', 'name', 'contact_name', 'email_from', 'phone', 'partner_id', 'type', 'create_date'], limit: 5, order: 'id desc' },
    });
    expect(leads).toEqual([{ id: 9, name: 'Lina', contact_name: null, email: 'l@x.fr', phone: null, partner: { id: 7, name: 'Lina A' }, type: 'lead', created_at: null }]);
  });
});

describe('starting a capture', () => {
  const text = textContactsSchema('FR', 5000);
  const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(64)]);

  test('the text and the recording routes start the same kind of input, named by the Idempotency-Key', async () => {
    const temporal = fakeTemporal();
    const crm = service(fakeOdoo([], {}).port, temporal.client);
    const body = text.parse({ text: 'Je m’appelle Lina', call_id: 'c1', consent: { sms: true } });
    const outcome = await crm.textContact(body, 'k-text');
    expect(outcome.kind).toBe('capture');
    await crm.voiceContact(voiceFormSchema.parse({ session_id: 's1', create_lead: 'false' }), OGG, 'k-voice');

    const [t, v] = temporal.started;
    // the fingerprints of captures started before: a retried request still matches its stored result
    expect(t!.input.fingerprint).toBe(fingerprint({ route: 'text', body }));
    expect(v!.input.fingerprint).toBe(fingerprint({ route: 'voice', form: voiceFormSchema.parse({ session_id: 's1', create_lead: 'false' }), audio: fingerprint(OGG.toString('base64')) }));
    expect(t!.workflowId).toBe('crm-capture-k-text');
    expect(t!.input).toEqual({
      text: 'Je m’appelle Lina', source: 'phone', callId: 'c1', sessionId: null, createLead: true,
      consents: [expect.objectContaining({ channel: 'sms', granted: true, source: 'request' })],
      defaultRegion: 'FR', useLlm: true, leadDedupHours: 24, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(v!.workflowId).toBe('crm-capture-k-voice');
    expect(v!.input).toEqual({
      audio: { base64: OGG.toString('base64'), fileName: 'dictee.ogg' }, source: 'voice', callId: null, sessionId: 's1', createLead: false,
      consents: [], defaultRegion: 'FR', useLlm: true, leadDedupHours: 24, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  test('the same request gives the same fingerprint; another request under the same key another one', async () => {
    const temporal = fakeTemporal();
    const crm = service(fakeOdoo([], {}).port, temporal.client);
    await crm.textContact(text.parse({ text: 'Lina' }), 'k');
    await crm.textContact(text.parse({ text: 'Lina' }), 'k');
    await crm.textContact(text.parse({ text: 'Jean' }), 'k');
    const [a, b, c] = temporal.started.map((s) => s.input.fingerprint);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  test('a recording is checked before speech is asked for: too large is a 413, then no speech a 503', async () => {
    const crm = new CrmService({
      odoo: fakeOdoo([], {}).port, extraction: noExtraction, temporalClient: fakeTemporal().client, taskQueue: 'q',
      transcriber: { enabled: false, transcribe: async () => { throw new Error('not used in this test'); } }, limits: { maxAudioBytes: 16 },
    });
    const form = voiceFormSchema.parse({});
    await expect(crm.voiceContact(form, OGG, null)).rejects.toMatchObject({ status: 413, code: 'audio_too_large' });
    await expect(crm.voiceContact(form, OGG.subarray(0, 16), null)).rejects.toMatchObject({ status: 503, code: 'speech_disabled' });
  });
});

test('one list of contact fields, in read-back order, is what the routes accept', () => {
  expect(CONTACT_FIELDS).toEqual(['firstname', 'lastname', 'email', 'phone']);
  const draft = { firstname: 'Lina', lastname: null, email: null, phone: null, needs_check: [...CONTACT_FIELDS] };
  expect(textContactsSchema('FR', 100).safeParse({ dry_run: true, text: 'x', field: 'name', draft }).success).toBe(true);
  expect(textContactsSchema('FR', 100).safeParse({ dry_run: true, text: 'x', field: 'name', draft: { ...draft, needs_check: ['mobile'] } }).success).toBe(false);
});
