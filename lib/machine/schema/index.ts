/**
 * zod schema of a machine file (after `${globals.…}` substitution). The loader validates the top level with
 * `machineTopSchema`, then each state with the schema of its `type` (`stateSchemas`), so an error in one state
 * names that state's own keys. `machineSchema` is the whole thing in one piece (for `z.toJSONSchema`).
 */
import { z } from 'zod';
import { jsonValue, outcomeName, route, stateName } from './common';
import { actionThenPromptState } from './states/action_then_prompt';
import { handoffState } from './states/handoff';
import { listenState } from './states/listen';
import { promptAndListenState } from './states/prompt_and_listen';
import { promptEndState } from './states/prompt_end';

export const stateSchemas = {
  prompt_and_listen: promptAndListenState,
  listen: listenState,
  action_then_prompt: actionThenPromptState,
  handoff: handoffState,
  prompt_end: promptEndState,
} as const;

export type StateTypeName = keyof typeof stateSchemas;
export const stateTypeNames = Object.keys(stateSchemas) as StateTypeName[];

export const intentSchema = z.strictObject({
  utterances: z.array(z.string().min(1)).default([]),
  dtmf: z.array(z.string().regex(/^[0-9*#]+$/, 'DTMF keys are 0-9, * and #')).default([]),
});

/** Known globals are typed; other keys are the author's own values, read through `${globals.x}` or `{{globals.x}}`. */
export const globalsSchema = z
  .object({
    max_noinput: z.number().int().min(1).default(2),
    max_nomatch: z.number().int().min(1).default(2),
    max_retries: z.number().int().min(1).optional(),
    allow_dtmf: z.boolean().default(true),
    dtmf_terminator: z.string().regex(/^[*#]$/, 'the DTMF terminator is # or *').default('#'),
    noinput_timeout_sec: z.number().positive(),
    exhausted_next: stateName.optional(),
    // The portal's waiting rule (workflows/shell/waiting.ts): minutes a reader may stay on a screen before the
    // session pauses, and minutes since the last input before a paused session ends. The portal uses 15 and 60
    // when the machine says nothing.
    web_idle_minutes: z.number().positive().max(24 * 60).optional(),
    web_session_minutes: z.number().positive().max(7 * 24 * 60).optional(),
    endpoints: z
      .record(
        z.string(),
        z.string().regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/, 'an endpoint is written "METHOD /path/{param}"'),
      )
      .default({}),
  })
  .catchall(jsonValue);

export const machineTopSchema = z.strictObject({
  machine: z.string().min(1),
  version: z.string().min(1),
  locale: z.string().min(1),
  timezone: z.string().min(1),
  entry: stateName.optional(),
  globals: globalsSchema,
  intents: z.record(z.string().min(1), intentSchema).default({}),
  global_routes: z.array(route).default([]),
  /** The machine's own outcomes (the built-in ones need no entry): whether each is a goal reached. */
  outcomes: z.record(outcomeName, z.strictObject({ goal: z.boolean(), description: z.string().optional() })).default({}),
  states: z.record(stateName, z.unknown()).refine((s) => Object.keys(s).length > 0, 'a machine needs at least one state'),
});

export const machineSchema = machineTopSchema.extend({
  states: z.record(
    stateName,
    z.discriminatedUnion('type', [promptAndListenState, listenState, actionThenPromptState, handoffState, promptEndState]),
  ),
});

export type RawMachineTop = z.infer<typeof machineTopSchema>;
export type RawState = z.infer<(typeof stateSchemas)[StateTypeName]>;
