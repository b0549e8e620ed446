/** The checker's rules, one file each. Document rules run on any parsed file; machine rules need a valid schema. */
import type { Rule } from './rule';
import { rule as actionLoop } from './action-loop';
import { rule as intentCollision } from './intent-collision';
import { rule as missingOutcome } from './missing-outcome';
import { rule as missingPathParam } from './missing-path-param';
import { rule as noExit } from './no-exit';
import { rule as silenceLoop } from './silence-loop';
import { rule as templateScope } from './template-scope';
import { rule as unknownEndpoint } from './unknown-endpoint';
import { rule as unknownGlobal } from './unknown-global';
import { rule as unknownIntent } from './unknown-intent';
import { rule as unknownOutcome } from './unknown-outcome';
import { rule as unknownState } from './unknown-state';
import { rule as unreachableState } from './unreachable-state';
import { rule as unsetCtx } from './unset-ctx';
import { rule as unusedIntent } from './unused-intent';

export type { Rule, DocumentContext, MachineContext } from './rule';

export const rules: Rule[] = [
  unknownGlobal,
  unknownEndpoint,
  unknownState,
  unknownIntent,
  unusedIntent,
  unreachableState,
  noExit,
  actionLoop,
  silenceLoop,
  intentCollision,
  unsetCtx,
  templateScope,
  missingPathParam,
  unknownOutcome,
  missingOutcome,
];
