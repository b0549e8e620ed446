/** Shared zod pieces of the HTTP contract. The machine fills bodies from templates, so text is often a string. */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';

/** A phone number, normalised to E.164 (national French numbers accepted). */
export const phoneE164 = z
  .string()
  .trim()
  .min(4)
  .max(32)
  .transform((v, ctx) => {
    const p = parsePhoneNumberFromString(v, 'FR');
    if (!p || !p.isValid()) {
      ctx.addIssue({ code: 'custom', message: 'not a valid phone number (E.164 such as +33612345678, or a French national number)' });
      return z.NEVER;
    }
    return p.number;
  });

/** Optional correlation ids; the templating may send "" when the context has no value. */
export const optionalId = z.string().max(200).optional().transform((v) => (v ? v : null));

/** true/false, also as the strings "true"/"false" a template produces. */
export const boolish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });

export const modeSchema = z.enum(['home', 'video', 'clinic']);
export const channelSchema = z.enum(['sms', 'whatsapp', 'email']);

const isoDay = z.iso.date();
/** A local day (YYYY-MM-DD), or empty/absent when the caller said "dès que possible". */
export const optionalDay = z.union([isoDay, z.literal('')]).optional().transform((v) => (v ? v : null));

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), request_id: z.string().optional() }).catchall(z.unknown()),
});

export const appointmentItem = z.object({
  id: z.number().int(),
  start: z.string().describe('ISO 8601, UTC'),
  stop: z.string(),
  mode: modeSchema,
  location: z.string().nullable(),
  state: z.enum(['pending', 'confirmed', 'cancelled', 'tentative']),
  voice_label: z.string(),
});

export const slotItem = z.object({ id: z.string(), start: z.string(), stop: z.string(), mode: modeSchema, voice_label: z.string() });
