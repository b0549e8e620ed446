/**
 * zod schemas of the pieces shared by several state types (after `${globals.…}` substitution).
 * Every object is strict: an unknown key is an error, so a typo never silently changes behaviour.
 */
import { z } from 'zod';

export const stateName = z.string().min(1, 'a state name cannot be empty');

export const jsonValue = z.json();

/** `set`, `body`, `query`, `path`, `headers`: key → literal or `{{template}}`. */
export const assignments = z.record(z.string().min(1), jsonValue);

const positiveInt = z.number().int().min(1);

/** `outcome: booked`: a name under `outcomes:` or a built-in one (lib/machine/outcomes.ts). */
export const outcomeName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'an outcome is a lower-case name such as booked or noinput_exhausted');

export const counterBlock = z.strictObject({
  max: positiveInt,
  next: stateName.optional(),
  outcome: outcomeName.optional(),
});

export const maxVisits = z.strictObject({
  max: positiveInt,
  next: stateName.optional(),
  outcome: outcomeName.optional(),
});

export const route = z
  .strictObject({
    when_intent: z.string().min(1).optional(),
    when_text: z.string().min(1).optional(),
    set: assignments.optional(),
    next: stateName,
    outcome: outcomeName.optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.when_intent === undefined) === (r.when_text === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a route needs exactly one of when_intent or when_text' });
    }
  });

export const collectModes = ['phone', 'otp', 'date_nl', 'free_speech_or_no'] as const;

export const collect = z
  .strictObject({
    mode: z.enum(collectModes),
    allow_dtmf: z.boolean().optional(),
    length: positiveInt.optional(),
    retry: z.strictObject({ max: positiveInt, on_fail_next: stateName.optional(), outcome: outcomeName.optional() }).optional(),
    validate: z.record(z.string().min(1), z.literal('required')).optional(),
    into: z.union([z.string().min(1), z.strictObject({ from: z.string().min(1), to: z.string().min(1) })]).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.into === undefined) return;
    const isRange = typeof c.into === 'object';
    if (c.mode === 'date_nl' && !isRange) {
      ctx.addIssue({ code: 'custom', path: ['into'], message: 'date_nl collects a range: write into: {from: key, to: key}' });
    }
    if (c.mode !== 'date_nl' && isRange) {
      ctx.addIssue({ code: 'custom', path: ['into'], message: `${c.mode} collects one value: write into: key` });
    }
  });

/** Keys of a prompt: `prompt` (text) or `prompt_template` (same syntax, the seed's name for templated text). */
export const promptKeys = {
  prompt: z.string().optional(),
  prompt_template: z.string().optional(),
  prompt_from_action: z.boolean().optional(),
};

export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const action = z.strictObject({
  call: z
    .string()
    .regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/, 'call must look like "METHOD /path/{param}" or ${globals.endpoints.NAME}'),
  path: assignments.optional(),
  query: assignments.optional(),
  body: assignments.optional(),
  headers: assignments.optional(),
  on_success: z
    .strictObject({
      set: assignments.optional(),
      ...promptKeys,
      next: stateName.optional(),
      outcome: outcomeName.optional(),
    })
    .optional(),
  on_fail: z
    .strictObject({
      prompt: z.string().optional(),
      prompt_template: z.string().optional(),
      next: stateName.optional(),
      outcome: outcomeName.optional(),
    })
    .optional(),
});

/** Keys every state type accepts. */
export const baseStateKeys = {
  screen: z.string().regex(/^C\d+$/, 'screen is C0, C1, … C7').optional(),
  set: assignments.optional(),
  max_visits: maxVisits.optional(),
};

/** Keys of the states that listen to the caller (prompt_and_listen, listen). */
export const listeningKeys = {
  collect: collect.optional(),
  action: action.optional(),
  routes: z.array(route).optional(),
  noinput: counterBlock.optional(),
  nomatch: counterBlock.optional(),
  fallback: z.strictObject({ set: assignments.optional(), next: stateName, outcome: outcomeName.optional() }).optional(),
  next: stateName.optional(),
  noinput_timeout_sec: z.number().positive().optional(),
};
