/**
 * Custom search attributes operators filter sessions by in the Temporal UI.
 * Registered on every dev server the project starts (see server.ts) and set by the session workflow.
 * Keyword types: exact-match filters (`IvrState = "ivr.auth.consent"`), which is how operators search.
 */
export const SEARCH_ATTRIBUTES = {
  IvrState: 'Keyword',
  IvrMachine: 'Keyword',
  IvrMachineVersion: 'Keyword',
  IvrChannel: 'Keyword',
  /** What the session achieved or why it ended (booked, noinput_exhausted, caller_hung_up, error…), set at the end. */
  IvrOutcome: 'Keyword',
  /** `reached` or `not_reached` (`unknown` for a machine without outcomes), set at the end with IvrOutcome. */
  IvrGoal: 'Keyword',
  /** Keyed hash of the caller's number, never the number itself. */
  IvrCallerHash: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}
