/** Entry point of the pure engine for the workflow shell, tests and benchmarks. */
export { startSession, step } from './engine';
export { normalize as normalizeUtterance } from './intents';
export { evaluate, render, renderPrompt } from './render';
export type * from './types';
