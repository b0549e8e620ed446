/**
 * What the scripted caller of bench/machines/turns-bench.yaml says, turn after turn. The cycle goes through every
 * kind of work a call does: a route (menu → code), a collect (four digits, back to the menu), a route to the same
 * state (re-listen), and a route into a backend action (save, then back to the menu). One action per four turns.
 */
import path from 'node:path';
import { loadMachine } from '../../lib/machine/loader';
import type { CompiledMachine } from '../../lib/machine/model';

export const BENCH_MACHINE_FILE = path.join(__dirname, '..', 'machines', 'turns-bench.yaml');

export interface ScriptedTurn {
  /** DTMF keys the caller presses. */
  digits: string;
  /** State the session must be in before this input (checked by the engine run, which fails loudly otherwise). */
  from: string;
  /** State the session waits in after this input. */
  to: string;
  /** True when this turn calls the backend before speaking. */
  action: boolean;
}

export const TURN_CYCLE: readonly ScriptedTurn[] = [
  { digits: '1', from: 'b.menu', to: 'b.code', action: false },
  { digits: '4821', from: 'b.code', to: 'b.menu', action: false },
  { digits: '3', from: 'b.menu', to: 'b.menu', action: false },
  { digits: '2', from: 'b.menu', to: 'b.menu', action: true },
];

/** Cycle positions a session may start at (the session starts in b.menu; position 1 needs b.code). */
const START_POSITIONS = [0, 2, 3] as const;

/**
 * Turn `turn` of session `session`. Sessions start the cycle at different positions, so at any moment a third of
 * them or so is on an action turn rather than all at once (in phase, every session would call the backend in the
 * same interval, an artificial burst).
 */
export function scriptedTurn(turn: number, session = 0): ScriptedTurn {
  const start = START_POSITIONS[session % START_POSITIONS.length] as number;
  return TURN_CYCLE[(start + turn) % TURN_CYCLE.length] as ScriptedTurn;
}

export function loadBenchMachine(file = BENCH_MACHINE_FILE): CompiledMachine {
  return loadMachine(file);
}
