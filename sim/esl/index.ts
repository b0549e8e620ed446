/** FreeSWITCH event-socket simulator: see sim/esl/README.md. */
export { startEslSimulator, type EslSimulator, type EslSimulatorOptions } from './server';
export { SimCall, type PlaceCallOptions, type ExecutedApp } from './call';
export type { CallcenterOutcome } from './context';
export { loadFreeswitchConfig, simulatorOptions, FreeswitchStartError, type FreeswitchConfig, type EventSocketSettings } from './freeswitch-config';
