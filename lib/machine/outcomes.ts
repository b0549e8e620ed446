/**
 * Outcomes: what a session achieved, or why it ended, as operators filter it (`IvrOutcome`, `IvrGoal`).
 * The engine records the built-in ones itself on its own endings; a machine names the others under `outcomes:`
 * and writes `outcome: <name>` on the branches (routes, on_success/on_fail, counters, fallback, …) and prompt_end
 * states that lead to an end. machines/README.md gives the rules.
 */

export interface OutcomeDef {
  /** True when a session ending with this outcome reached what the caller came for. */
  goal: boolean;
}

/** Outcomes the engine records without the machine naming them (the machine may still write them on branches). */
export const BUILTIN_OUTCOMES = {
  /** The caller stayed silent until the counter ran out. */
  noinput_exhausted: { goal: false },
  /** The caller's answers (or collected values) were not understood until the counter ran out. */
  nomatch_exhausted: { goal: false },
  /** A backend action failed (4xx, or 5xx/network after retries) and its on_fail led on. */
  backend_failed: { goal: false },
  /** The transfer to an agent failed, or handoff is disabled. */
  transfer_failed: { goal: false },
  /** A state's max_visits bound was reached (a loop cut short). */
  max_visits_reached: { goal: false },
  /** The caller hung up before any goal was reached (IvrState says where). */
  caller_hung_up: { goal: false },
  /** The caller was transferred to an agent. */
  handed_off: { goal: true },
  /** A machine defect or a channel failure ended the session (the result's `failure` says which). */
  error: { goal: false },
} as const satisfies Record<string, OutcomeDef>;

export type BuiltinOutcome = keyof typeof BUILTIN_OUTCOMES;

export const OUTCOME_NAME = /^[a-z][a-z0-9_]*$/;

/** `IvrGoal`: reached or not; `unknown` for a machine compiled before outcomes existed that ended without one. */
export type GoalStatus = 'reached' | 'not_reached' | 'unknown';
