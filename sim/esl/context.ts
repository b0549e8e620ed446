/** What a simulated channel needs from the simulator core (kept as an interface to avoid a module cycle). */
import type { CoreIdentity } from './events';
import type { WireEvent } from './wire';
import type { SimCall } from './call';

export interface CallcenterOutcome {
  /** Agent name that answers, or undefined when nobody answers before `maxWaitMs`. */
  agent?: string;
  answerAfterMs?: number;
  maxWaitMs?: number;
}

export interface SimulatorContext {
  core: CoreIdentity;
  nextSeq(): number;
  nextSessionId(): number;
  fire(ev: WireEvent): void;
  /** Applications the dialplan extension runs for a destination number. */
  dialplan(destination: string): Array<[string, string]>;
  /** Simulated milliseconds → real milliseconds. */
  scale(ms: number): number;
  /** Real milliseconds → simulated milliseconds. */
  unscale(ms: number): number;
  /** Waits simulated milliseconds. */
  sleep(ms: number): Promise<void>;
  playbackMs(file: string): number;
  fileExists(file: string): boolean;
  speakMsPerChar: number;
  bridgeOutcome(target: string, call: SimCall): 'answer' | string;
  callcenterOutcome(queue: string, call: SimCall): CallcenterOutcome;
  destroyed(call: SimCall): void;
  /** The simulator's own diagnostics (the `log` option). */
  log(message: string): void;
  /** A line of FreeSWITCH's own log, as the switch would print it (`sim.log`). */
  fsLog(level: FsLogLevel, where: string, message: string, uuid?: string): void;
  /** Simulated ms between `record`'s last DTMF read and its DTMF flush (keys landing then are lost). */
  recordDtmfLossWindowMs: number;
  /** A media bug's initial timeout and limit count real ms under a time scale (see the simulator option). */
  realTimeCallerTimeouts: boolean;
}

export type FsLogLevel = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERR';
