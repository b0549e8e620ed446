/**
 * Portal routes: magic link by SMS/WhatsApp (continues the same session on the web), its exchange for a session
 * token, the person's profile, consent and channel preference, and read-only shared appointment links.
 */
import { z } from 'zod';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../http';
import { boolish, channelSchema, modeSchema, optionalId, phoneE164 } from '../schemas';
import { randomToken } from '../services/tokens';
import { sendLink } from '../services/messaging';
import { PORTAL_CONSENT_WORDINGS as CONSENT_WORDINGS, DEFAULT_PORTAL_WORDING_VERSION as DEFAULT_WORDING_VERSION, wordingHash } from '../../lib/consent/wordings';
import { escapeHtml } from '../services/messaging';
import { slotLabel } from '../voice/french-voice';
import type { ApiDeps } from '../deps';
import { kit } from './context';
import { limitSends } from './auth';

/** "+33 6 •• •• •• 78" style: country code and last two digits only. */
export function maskPhone(p: string | null): string | null {
  if (!p) return null;
  const digits = p.replace(/[^\d+]/g, '');
  if (digits.length < 6) return '••••';
  const head = digits.startsWith('+') ? 3 : 2;
  return `${digits.slice(0, head)}${'•'.repeat(digits.length - head - 2)}${digits.slice(-2)}`;
}

/** "c•••••@e•••••.fr": first letter of the local part and of the domain, and the top-level domain. */
export function maskEmail(e: string | null): string | null {
  if (!e || !e.includes('@')) return null;
  const [local, domain] = e.split('@') as [string, string];
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 1)}•••@${host.slice(0, 1)}•••${tld}`;
}

const sendOtpLink = route({
  method: 'put',
  path: '/portal/send-otp-link',
  summary: 'Send a one-time link that opens the portal on the same session.',
  auth: 'none',
  idempotent: true,
  body: z.object({
    phone_e164: phoneE164,
    channel_preference: z.enum(['sms', 'whatsapp', 'sms_or_whatsapp']).default('sms_or_whatsapp'),
    call_id: optionalId,
    session_id: optionalId,
  }),
  response: z.object({ sent: z.literal(true), channel: channelSchema, expires_in: z.number().int() }),
  errors: [[422, 'destination_not_allowed'], [429, 'rate_limited'], [503, 'messaging_unavailable']],
  async handler({ body, ip, requestId, idempotencyKey }, deps) {
    const k = kit(deps);
    await limitSends(deps, 'link', body.phone_e164, ip);
    // Unknown numbers get a link too (no disclosure); opening it answers unknown_number.
    const partnerId = await k.practice.findPartnerIdByPhone(body.phone_e164);
    const token = randomToken();
    const now = deps.clock.now();
    await deps.store.createLink({
      tokenHash: k.linkHash(token), kind: 'portal_login', partnerId, sessionId: body.session_id, callId: body.call_id,
      createdAt: now, expiresAt: new Date(now.getTime() + deps.config.MAGIC_LINK_TTL_SEC * 1000),
    });
    const wantsWhatsapp = body.channel_preference !== 'sms' && deps.config.WHATSAPP_LINK_TEMPLATE_ID !== undefined;
    const sent = await sendLink(deps.brevo, {
      channel: wantsWhatsapp ? 'whatsapp' : 'sms', phone: body.phone_e164, email: null,
      subject: 'Votre lien', text: 'Pour continuer sur le portail, ouvrez ce lien :', url: `${deps.config.API_PUBLIC_URL}/portal/link/${token}`,
      idempotencyKey: `link:${idempotencyKey ?? requestId}`, whatsappTemplateId: deps.config.WHATSAPP_LINK_TEMPLATE_ID,
    });
    return { sent: true as const, channel: sent.channel, expires_in: deps.config.MAGIC_LINK_TTL_SEC };
  },
});

/** A one-time portal link exchanged: the session token it opens (never logged) and the call it came from. */
export interface ExchangedLink {
  sessionToken: string;
  partnerId: number;
  expiresIn: number;
  /** The session (`session_id` of the call's ctx) that sent the link, if any. */
  sessionId: string | null;
}

/** A spent link of a number that belongs to no client: it can only lead back to the call that sent it. */
export interface CallOnlyLink {
  partnerId: null;
  sessionId: string | null;
}

export const linkTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'a link token');

/**
 * Exchanges a portal link once: 404 unknown, 410 used or expired (details.reason says which), 404 unknown_number
 * when the number belongs to no client. Shared by the JSON route below and the portal's hand-over
 * (api/routes/web-session.ts).
 */
export async function exchangePortalLink(deps: ApiDeps, token: string): Promise<ExchangedLink>;
export async function exchangePortalLink(deps: ApiDeps, token: string, opts: { callOnly: true }): Promise<ExchangedLink | CallOnlyLink>;
export async function exchangePortalLink(deps: ApiDeps, token: string, opts: { callOnly?: boolean } = {}): Promise<ExchangedLink | CallOnlyLink> {
  const k = kit(deps);
  const hash = k.linkHash(token);
  const link = await deps.store.getLink(hash);
  if (!link || link.kind !== 'portal_login') throw new ApiError(404, 'not_found', 'Unknown link.');
  if (link.usedAt) throw new ApiError(410, 'expired', 'This link was already used; ask for a new one.', { reason: 'used' });
  if (link.expiresAt.getTime() <= deps.clock.now().getTime()) throw new ApiError(410, 'expired', 'This link has expired; ask for a new one.', { reason: 'expired' });
  if (!(await deps.store.useLink(hash, deps.clock.now()))) throw new ApiError(410, 'expired', 'This link was already used; ask for a new one.', { reason: 'used' });
  if (link.partnerId === null) {
    // A new person (e.g. a contact dictated by phone): no login, but the page may join the call that sent the link.
    if (opts.callOnly) return { partnerId: null, sessionId: link.sessionId };
    throw new ApiError(404, 'unknown_number', 'This number belongs to no client.');
  }
  const s = await deps.sessions.create(link.partnerId, 'magic_link', link.sessionId);
  return { sessionToken: s.token, partnerId: link.partnerId, expiresIn: s.expiresIn, sessionId: link.sessionId };
}

/**
 * The link itself (GET /portal/link/:token) opens the portal page (api/app.ts), which posts the token here or to
 * the portal's own hand-over route: a GET never spends the link (a link preview or a prefetch would).
 */
const exchangeLink = route({
  method: 'post',
  path: '/portal/link/exchange',
  summary: 'Exchange a one-time portal link (token in the body) for a session token (single use).',
  auth: 'none',
  idempotent: false,
  body: z.strictObject({ token: linkTokenSchema }),
  response: z.object({ session_token: z.string(), partner_id: z.number().int(), expires_in: z.number().int(), session_id: z.string().nullable() }),
  errors: [[404, 'not_found'], [404, 'unknown_number'], [410, 'expired']],
  async handler({ body }, deps) {
    const x = await exchangePortalLink(deps, body.token);
    return { session_token: x.sessionToken, partner_id: x.partnerId, expires_in: x.expiresIn, session_id: x.sessionId };
  },
});

const consentView = z.object({ consent_ok: z.boolean(), wording_version: z.string(), channel: z.enum(['voice', 'web']), recorded_at: z.string() }).nullable();

const me = route({
  method: 'get',
  path: '/portal/me',
  summary: "The logged-in person's profile (phone and email masked), preferred channel and latest consent.",
  auth: 'bearer',
  idempotent: false,
  response: z.object({
    id: z.number().int(), name: z.string(), phone: z.string().nullable(), email: z.string().nullable(),
    preferred_channel: channelSchema.nullable(), consent: consentView,
  }),
  async handler({ session }, deps) {
    const pid = session!.partnerId;
    const p = await kit(deps).practice.readPartner(pid);
    const consent = await deps.store.latestConsent(pid);
    const pref = await deps.store.getPreferredChannel(pid);
    return {
      id: p.id, name: p.name, phone: maskPhone(p.phone), email: maskEmail(p.email),
      preferred_channel: channelSchema.safeParse(pref).success ? (pref as 'sms' | 'whatsapp' | 'email') : null,
      consent: consent ? { consent_ok: consent.consentOk, wording_version: consent.wordingVersion, channel: consent.channel, recorded_at: consent.recordedAt.toISOString() } : null,
    };
  },
});

const preferences = route({
  method: 'put',
  path: '/portal/preferences',
  summary: 'Record consent (who, when, channel, purpose, wording version and hash, evidence) and the preferred channel.',
  auth: 'bearer',
  idempotent: true,
  body: z.object({
    consent_ok: boolish,
    preferred_channel: z.union([channelSchema, z.literal('')]).optional().transform((v) => (v ? v : null)),
    consent_wording_version: z.string().max(32).default(DEFAULT_WORDING_VERSION).refine((v) => v in CONSENT_WORDINGS, { message: `unknown wording version (known: ${Object.keys(CONSENT_WORDINGS).join(', ')})` }),
    collected_via: z.enum(['voice', 'web']).optional(),
    call_id: optionalId,
    session_id: optionalId,
  }),
  response: z.object({ consent_id: z.number().int(), consent_ok: z.boolean(), preferred_channel: channelSchema.nullable(), wording_hash: z.string(), recorded_at: z.string() }),
  async handler({ body, session }, deps) {
    const pid = session!.partnerId;
    const now = deps.clock.now();
    const wording = CONSENT_WORDINGS[body.consent_wording_version]!;
    const hash = wordingHash(body.consent_wording_version)!;
    const channel = body.collected_via ?? (body.call_id ? 'voice' : 'web');
    const sessionId = body.session_id ?? session!.sessionId;
    const consentId = await deps.store.appendConsent({
      partnerId: pid, consentOk: body.consent_ok, purpose: wording.purpose, channel, wordingVersion: body.consent_wording_version,
      wordingHash: hash, callId: body.call_id, sessionId, recordedAt: now,
    });
    if (body.preferred_channel) await deps.store.setPreferredChannel(pid, body.preferred_channel, now);
    const evidence = [body.call_id ? `appel ${body.call_id}` : null, sessionId ? `session ${sessionId}` : null].filter(Boolean).join(', ') || 'aucune';
    await kit(deps).practice.postNote('res.partner', pid, [
      `<p>Consentement ${body.consent_ok ? 'donné' : 'refusé'} le ${now.toISOString()} (canal : ${channel === 'voice' ? 'téléphone' : 'portail'}).</p>`,
      `<p>Finalité : ${escapeHtml(wording.purpose)}. Texte ${escapeHtml(body.consent_wording_version)} (sha256 ${hash}) : « ${escapeHtml(wording.text)} »</p>`,
      `<p>Preuve : ${escapeHtml(evidence)}. Canal préféré : ${body.preferred_channel ?? 'inchangé'}.</p>`,
    ].join(''));
    return { consent_id: consentId, consent_ok: body.consent_ok, preferred_channel: body.preferred_channel, wording_hash: hash, recorded_at: now.toISOString() };
  },
});

const shared = route({
  method: 'get',
  path: '/portal/shared/:token',
  summary: 'Read-only view of a shared appointment (no personal data).',
  auth: 'none',
  idempotent: false,
  params: z.object({ token: linkTokenSchema }),
  response: z.object({ start: z.string(), stop: z.string(), mode: modeSchema, state: z.string(), voice_label: z.string() }),
  async handler({ params }, deps) {
    const link = await deps.store.getLink(kit(deps).linkHash(params.token));
    if (!link || link.kind !== 'share' || link.partnerId === null || link.appointmentId === null) throw new ApiError(404, 'not_found', 'Unknown link.');
    if (link.expiresAt.getTime() <= deps.clock.now().getTime()) throw new ApiError(410, 'expired', 'This link has expired.');
    const a = await kit(deps).practice.getAppointment(link.partnerId, link.appointmentId);
    return { start: a.start.toISOString(), stop: a.stop.toISOString(), mode: a.mode, state: a.state, voice_label: slotLabel(a.start, a.mode, deps.config.PRACTICE_TIMEZONE) };
  },
});

export const portalRoutes: AnyRoute[] = [sendOtpLink, exchangeLink, me, preferences, shared];
