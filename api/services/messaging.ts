/** Sending a short French message with a link by the person's channel (SMS, WhatsApp template, or email). */
import { ApiError } from '../errors';
import { BrevoOutcomeUnknown } from '../../lib/brevo/errors';
import type { BrevoPort } from '../ports';

export type LinkChannel = 'sms' | 'whatsapp' | 'email';

export interface LinkMessage {
  channel: LinkChannel;
  phone: string | null;
  email: string | null;
  subject: string;
  /** Text without the link; the link is appended. */
  text: string;
  url: string;
  idempotencyKey: string;
  whatsappTemplateId?: number | undefined;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * sendLink, where an SMS/WhatsApp whose outcome is unknown is an answer (`delivery: 'unknown'`) rather than an error,
 * for routes that tell the person "it may arrive" instead of "it failed".
 */
export async function sendLinkOrUnknown(brevo: BrevoPort, m: LinkMessage): Promise<{ channel: LinkChannel; messageId: string | null; delivery: 'sent' | 'unknown' }> {
  try {
    return { ...(await sendLink(brevo, m)), delivery: 'sent' };
  } catch (e) {
    // SMS/WhatsApp sent without an answer: it may arrive. Never sent again automatically; the caller is told so.
    if (e instanceof BrevoOutcomeUnknown) return { channel: e.channel, messageId: null, delivery: 'unknown' };
    throw e;
  }
}

/**
 * Sends by the asked channel, falling back to SMS when WhatsApp has no template configured; returns the channel
 * actually used. Email needs the person's address (409 no_email otherwise).
 */
export async function sendLink(brevo: BrevoPort, m: LinkMessage): Promise<{ channel: LinkChannel; messageId: string }> {
  if (m.channel === 'email') {
    if (!m.email) throw new ApiError(409, 'no_email', 'This person has no email address in the CRM; choose SMS or WhatsApp.');
    const r = await brevo.sendEmail({
      to: [{ email: m.email }],
      subject: m.subject,
      html: `<p>${escapeHtml(m.text)}</p><p><a href="${escapeHtml(m.url)}">${escapeHtml(m.url)}</a></p>`,
      text: `${m.text}\n${m.url}`,
      idempotencyKey: m.idempotencyKey,
      tag: 'link',
    });
    return { channel: 'email', messageId: r.messageId };
  }
  if (!m.phone) throw new ApiError(409, 'no_phone', 'No phone number to send the link to.');
  if (m.channel === 'whatsapp' && m.whatsappTemplateId) {
    const r = await brevo.sendWhatsAppTemplate({ to: m.phone, templateId: m.whatsappTemplateId, params: { link: m.url }, idempotencyKey: m.idempotencyKey });
    return { channel: 'whatsapp', messageId: r.messageId };
  }
  const r = await brevo.sendSms({ to: m.phone, content: `${m.text} ${m.url}`, tag: 'link', idempotencyKey: m.idempotencyKey });
  return { channel: 'sms', messageId: r.messageId };
}

export { escapeHtml };
