/**
 * Workflows of bench:primitives: each one repeats ONE shape of interaction per "poke" so the server's cost of that
 * shape can be read from its CPU. They mirror the pieces of a session's DTMF turn (workflows/session.ts), without
 * the engine.
 */
import {
  condition, defineQuery, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export type PrimitiveKind = 'signal' | 'signal_upsert' | 'signal_activity' | 'signal_activity_upsert' | 'signal_local_activity' | 'update' | 'update_upsert';

export const pokeSignal = defineSignal<[number]>('poke');
export const pokeUpdate = defineUpdate<number, [number]>('poke');
export const stopSignal = defineSignal('stop');
export const appliedQuery = defineQuery<number>('applied');

export interface PrimitiveActivities {
  /** Stands for the voice node's turn command: returns at once. */
  channelCommand(n: number): Promise<number>;
}

const STATE = defineSearchAttributeKey('IvrState', SearchAttributeType.KEYWORD);

export async function primitiveWorkflow(kind: PrimitiveKind, channelQueue: string): Promise<number> {
  const remote = proxyActivities<PrimitiveActivities>({ taskQueue: channelQueue, startToCloseTimeout: '10 seconds' });
  const local = proxyLocalActivities<PrimitiveActivities>({ startToCloseTimeout: '10 seconds' });
  let received = 0;
  let applied = 0;
  let stopped = false;
  setHandler(pokeSignal, () => {
    received++;
  });
  setHandler(stopSignal, () => {
    stopped = true;
  });
  setHandler(appliedQuery, () => applied);
  setHandler(pokeUpdate, (n) => {
    applied++;
    if (kind === 'update_upsert') upsertSearchAttributes([{ key: STATE, value: `s${n % 7}` }]);
    return applied;
  });
  while (!stopped) {
    await condition(() => stopped || received > applied);
    if (stopped) break;
    const n = ++applied;
    if (kind === 'signal_activity' || kind === 'signal_activity_upsert') await remote.channelCommand(n);
    if (kind === 'signal_local_activity') await local.channelCommand(n);
    if (kind === 'signal_upsert' || kind === 'signal_activity_upsert') upsertSearchAttributes([{ key: STATE, value: `s${n % 7}` }]);
  }
  return applied;
}
