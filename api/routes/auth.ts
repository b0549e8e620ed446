/**
 * PUT /auth/request-otp and PUT /auth/verify-otp.
 *
 * A number that matches no partner still gets a code (the answer does not reveal who is a client); only after a
 * correct code does verify-otp answer 404 unknown_number, to the person who holds that phone.
 */
import { z } from 'zod';
import { ApiError } from '../errors';
import { BrevoOutcomeUnknown } from '../../lib/brevo/errors';
import { route, type AnyRoute } from '../http';
import { channelSchema, optionalId, phoneE164 } from '../schemas';
import { addressBucket } from '../services/client-address';
import { enforceLimits } from '../services/rate-limit';
import { checkMessageDestination } from '../services/destinations';
import { invalidToken } from '../services/operators';
import { kit } from './context';
import type { ApiDeps } from '../deps';

/**
 * The client address a request counts against, as a bucket (null: none counts). A portal session's sends come from
 * the session worker, which names the session: they count against the browser's address (services/client-address.ts).
 */
function clientBucket(deps: ApiDeps, kind: string, ip: string): string | null {
  return addressBucket(kind, ip, { sessionKey: deps.config.SESSION_KEY, exempt: (a) => kit(deps).ipExempt(a) });
}

/**
 * Before any code or link is sent: the destination must be allowed (SMS pumping), then the number's and the
 * client address's sliding windows must have room. The number's window is the same whether the phone or the portal
 * sends.
 */
export async function limitSends(deps: ApiDeps, kind: string, phone: string, ip: string): Promise<void> {
  const c = deps.config;
  checkMessageDestination(phone, c.OTP_ALLOWED_COUNTRIES);
  const phoneHash = kit(deps).otp.phoneHash(phone);
  const limits = [{ bucket: `${kind}:phone:${phoneHash}`, max: c.RATE_OTP_PER_PHONE, windowSec: c.RATE_OTP_PHONE_WINDOW_SEC }];
  const client = clientBucket(deps, kind, ip);
  if (client) limits.push({ bucket: client, max: c.RATE_OTP_PER_IP, windowSec: c.RATE_OTP_IP_WINDOW_SEC });
  await enforceLimits(deps.store, deps.clock.now(), limits);
}

const requestOtp = route({
  method: 'put',
  path: '/auth/request-otp',
  summary: 'Send a one-time code to a phone (SMS; WhatsApp and email fall back to SMS when not possible).',
  auth: 'none',
  idempotent: true,
  body: z.object({
    phone_e164: phoneE164,
    channel: channelSchema.default('sms'),
    purpose: z.string().min(1).max(64).default('portal_login'),
    // Only clients log in here; team access (the machine's "zone équipe") goes to a human.
    role: z.literal('client').default('client'),
    call_id: optionalId,
    session_id: optionalId,
  }),
  // delivery 'unknown' (202): Brevo took the SMS but never answered, so it may or may not arrive. The challenge is
  // valid all the same (the code in a late SMS works); it is not sent again: a new request replaces it.
  response: z.object({ challenge_id: z.string(), expires_in: z.number().int(), channel: channelSchema, delivery: z.enum(['sent', 'unknown']) }),
  errors: [[400, 'invalid_request'], [422, 'destination_not_allowed'], [429, 'rate_limited'], [503, 'messaging_unavailable']],
  async handler({ body, ip }, deps) {
    const k = kit(deps);
    await limitSends(deps, 'otp', body.phone_e164, ip);
    const issued = await k.otp.issue({ phone: body.phone_e164, channel: body.channel, purpose: body.purpose, role: body.role, callId: body.call_id, sessionId: body.session_id });
    const minutes = Math.round(deps.config.OTP_TTL_SEC / 60);
    const text = `Votre code de connexion : ${issued.code}. Il expire dans ${minutes} minutes. Ne le communiquez à personne.`;
    const key = `otp:${issued.challengeId}`;
    let used: 'sms' | 'email' = 'sms';
    if (body.channel === 'email') {
      const pid = await k.practice.findPartnerIdByPhone(body.phone_e164);
      const email = pid === null ? null : (await k.practice.readPartner(pid)).email;
      if (email) {
        await deps.brevo.sendEmail({ to: [{ email }], subject: 'Votre code de connexion', html: `<p>${text}</p>`, text, idempotencyKey: key, tag: 'otp' });
        used = 'email';
      }
    }
    let delivery: 'sent' | 'unknown' = 'sent';
    try {
      if (used === 'sms') await deps.brevo.sendSms({ to: body.phone_e164, content: text, tag: 'otp', idempotencyKey: key });
    } catch (e) {
      // Outcome unknown is an answer, not a failure: stored under the Idempotency-Key, so a repeat replays it and
      // never issues a second code that would replace the one that may be on its way.
      if (!(e instanceof BrevoOutcomeUnknown)) throw e;
      delivery = 'unknown';
    }
    deps.log.info({ challengeId: issued.challengeId, channel: used, delivery }, 'otp sent');
    const out = { challenge_id: issued.challengeId, expires_in: issued.expiresIn, channel: used, delivery };
    return delivery === 'sent' ? out : { status: 202, body: out };
  },
});

const verifyOtp = route({
  method: 'put',
  path: '/auth/verify-otp',
  summary: 'Check a code; on success open a session for the partner who owns the number.',
  auth: 'none',
  idempotent: true,
  body: z.object({
    phone_e164: phoneE164,
    // Spoken or keyed codes may arrive as "12 34 56".
    otp: z.string().transform((v) => v.replace(/[\s.-]/g, '')).pipe(z.string().regex(/^\d{4,10}$/, 'digits only')),
    challenge_id: z.string().min(1).max(100),
    role: z.string().max(32).optional(),
    call_id: optionalId,
    session_id: optionalId,
  }),
  response: z.object({ session_token: z.string(), partner_id: z.number().int(), expires_in: z.number().int() }),
  errors: [[401, 'invalid_code'], [410, 'expired'], [423, 'locked'], [404, 'unknown_number'], [429, 'rate_limited']],
  async handler({ body, ip }, deps) {
    const k = kit(deps);
    // Each challenge locks after OTP_MAX_ATTEMPTS; this bounds guessing across many challenges from one address.
    const client = clientBucket(deps, 'verify', ip);
    if (client) {
      await enforceLimits(deps.store, deps.clock.now(), [{ bucket: client, max: deps.config.RATE_VERIFY_PER_IP, windowSec: deps.config.RATE_VERIFY_IP_WINDOW_SEC }], 'Too many code checks from this address; retry later.');
    }
    await k.otp.verify({ phone: body.phone_e164, challengeId: body.challenge_id, code: body.otp });
    const partnerId = await k.practice.findPartnerIdByPhone(body.phone_e164);
    if (partnerId === null) {
      throw new ApiError(404, 'unknown_number', 'The code is right but this number belongs to no client; offer a human or a new-contact flow.');
    }
    const s = await deps.sessions.create(partnerId, 'otp', body.session_id);
    deps.log.info({ challengeId: body.challenge_id, partnerId }, 'otp verified');
    return { session_token: s.token, partner_id: partnerId, expires_in: s.expiresIn };
  },
});

const logout = route({
  method: 'post',
  path: '/auth/logout',
  summary: 'End the session of the bearer token at once; any later use of it answers 401.',
  auth: 'bearer',
  idempotent: false,
  response: z.object({ revoked: z.literal(true) }),
  async handler({ bearer }, deps) {
    // mount() has resolved the token to a live session; false means a concurrent logout got there first.
    if (!bearer || !(await deps.sessions.revoke(bearer))) throw invalidToken('This session was already closed; log in again with a code.');
    deps.log.info({}, 'session closed by logout');
    return { revoked: true as const };
  },
});

export const authRoutes: AnyRoute[] = [requestOtp, verifyOtp, logout];
