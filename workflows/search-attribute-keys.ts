/** Typed keys of the search attributes the session workflow sets (names registered by lib/temporal). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../lib/temporal/search-attributes';

const keyword = (name: keyof typeof SEARCH_ATTRIBUTES) => defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);

export const SESSION_SEARCH_ATTRIBUTES = {
  state: keyword('IvrState'),
  machine: keyword('IvrMachine'),
  machineVersion: keyword('IvrMachineVersion'),
  channel: keyword('IvrChannel'),
  outcome: keyword('IvrOutcome'),
  goal: keyword('IvrGoal'),
  callerHash: keyword('IvrCallerHash'),
} as const;
