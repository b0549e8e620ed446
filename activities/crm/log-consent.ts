/**
 * Capture step 6: records WhatsApp / SMS consent the RGPD way (art. 7(1): who, when, channel, wording and its
 * version, evidence). Two places in Odoo:
 * - the custom fields `ivr odoo-setup` creates (x_consent_whatsapp, x_consent_sms booleans, x_consent_log text,
 *   one line appended per statement), when the server has them;
 * - a note in the partner's chatter (message_post), which every server has and which keeps its own author/date.
 * Idempotent: each statement carries a marker (capture id + channel); a statement already in the log or in a note
 * is not written again.
 */
import { captureMarker } from '../../lib/crm/mapping';
import type { CrmOdooPort } from '../../lib/crm/odoo';
import type { ConsentChannel, ConsentStatement, CrmActivities } from '../../lib/crm/types';
import { odooStep } from './odoo-step';

export const CONSENT_FIELDS: Record<ConsentChannel, string> = { whatsapp: 'x_consent_whatsapp', sms: 'x_consent_sms' };
export const CONSENT_LOG_FIELD = 'x_consent_log';

const CHANNEL_LABEL: Record<ConsentChannel, string> = { whatsapp: 'WhatsApp', sms: 'SMS' };

export function consentMarker(captureRef: string, channel: ConsentChannel): string {
  return captureMarker(`${captureRef}:consent:${channel}`);
}

interface Evidence {
  captureRef: string;
  at: string;
  callId: string | null;
  sessionId: string | null;
}

/** One line of x_consent_log; the person is the partner the log belongs to. */
export function consentLogLine(s: ConsentStatement, e: Evidence): string {
  return [
    e.at,
    s.channel,
    s.granted ? 'accordé' : 'refusé',
    `source=${s.source === 'speech' ? 'parole' : 'requête'}`,
    `formulation=${s.wording_version}`,
    `texte="${s.wording.replace(/"/g, "'").replace(/\s+/g, ' ')}"`,
    `preuve=capture ${e.captureRef}${e.callId ? `, appel ${e.callId}` : ''}${e.sessionId ? `, session ${e.sessionId}` : ''}`,
    consentMarker(e.captureRef, s.channel),
  ].join(' | ');
}

/**
 * The chatter note, as plain text: since Odoo 17 a body sent over RPC is a str, which message_post escapes
 * (only server-side Markup keeps HTML), so tags would show literally.
 */
function consentNote(s: ConsentStatement, e: Evidence): string {
  const what = `Consentement ${CHANNEL_LABEL[s.channel]} ${s.granted ? 'accordé' : 'refusé'}`;
  return [
    `${what} le ${e.at} (${s.source === 'speech' ? 'dit pendant la capture vocale' : 'transmis avec la demande'}).`,
    `Formulation (version ${s.wording_version}) : « ${s.wording} ».`,
    `Preuve : capture ${e.captureRef}${e.callId ? `, appel ${e.callId}` : ''}${e.sessionId ? `, session ${e.sessionId}` : ''}.`,
    consentMarker(e.captureRef, s.channel),
  ].join(' ');
}

export function createCrmLogConsent(deps: { odoo: CrmOdooPort }): CrmActivities['crmLogConsent'] {
  const { odoo } = deps;
  return ({ captureRef, partnerId, consents, at, callId, sessionId }) =>
    odooStep('log consent', async () => {
      const evidence: Evidence = { captureRef, at, callId, sessionId };
      const fields = await odoo.fields('res.partner');
      const hasFields = Boolean(fields[CONSENT_LOG_FIELD] && fields[CONSENT_FIELDS.whatsapp] && fields[CONSENT_FIELDS.sms]);
      let fieldsWritten = false;
      if (hasFields && consents.length > 0) {
        const [row] = await odoo.callKw<Array<Record<string, unknown>>>('res.partner', 'read', [[partnerId], [CONSENT_LOG_FIELD]]);
        const log = typeof row?.[CONSENT_LOG_FIELD] === 'string' ? (row[CONSENT_LOG_FIELD] as string) : '';
        const fresh = consents.filter((s) => !log.includes(consentMarker(captureRef, s.channel)));
        if (fresh.length > 0) {
          const vals: Record<string, unknown> = {
            [CONSENT_LOG_FIELD]: [log, ...fresh.map((s) => consentLogLine(s, evidence))].filter(Boolean).join('\n'),
          };
          for (const s of fresh) vals[CONSENT_FIELDS[s.channel]] = s.granted;
          await odoo.callKw('res.partner', 'write', [[partnerId], vals]);
        }
        fieldsWritten = true;
      }
      const logged: ConsentChannel[] = [];
      for (const s of consents) {
        const marker = consentMarker(captureRef, s.channel);
        const already = await odoo.callKw<number[]>('mail.message', 'search', [[
          ['model', '=', 'res.partner'], ['res_id', '=', partnerId], ['body', 'ilike', marker],
        ]], { limit: 1 });
        if (already.length === 0) {
          await odoo.callKw('res.partner', 'message_post', [[partnerId]], {
            body: consentNote(s, evidence), message_type: 'comment', subtype_xmlid: 'mail.mt_note',
          });
        }
        logged.push(s.channel);
      }
      return { logged, fieldsWritten };
    });
}
