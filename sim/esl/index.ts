/** FreeSWITCH event-socket simulator: see sim/esl/README.md. */
export { startEslSimulator, type EslSimulator, type EslSimulatorOptions, type EventDelay } from './server';
export { SimCall, type PlaceCallOptions, type ExecutedApp, type DiscardedDtmf } from './call';
export type { CompletionCause } from './media-bug';
export type { CallcenterOutcome } from './context';
export { loadFreeswitchConfig, simulatorOptions, FreeswitchStartError, type FreeswitchConfig, type EventSocketSettings } from './freeswitch-config';
