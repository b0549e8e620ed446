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
  log(message: string): void;
}
