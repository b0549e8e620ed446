/**
 * Starting a session workflow from the outside (esl-bridge on a new call, the portal, `ivr simulate`).
 * Starting twice is harmless: the second start attaches to the running session. The portal starts its sessions
 * with their first view in one call (`startSessionWithFirstView`, Update-with-Start).
 */
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import { piiHash } from '../lib/log';
import type { CompiledMachine } from '../lib/machine/model';
import { SESSION_SEARCH_ATTRIBUTES } from '../workflows/search-attribute-keys';
import { firstViewUpdate, sessionWorkflowId, type SessionInput, type SessionView } from '../workflows/session-api';
import type { sessionWorkflow } from '../workflows/session';

export const SESSION_TASK_QUEUE = process.env.SESSION_TASK_QUEUE ?? 'ivr-sessions';

/** What a start may add to the workflow's memo (never personal data in clear: the memo shows in the Temporal UI). */
export interface SessionMemoExtra {
  /** The portal's keyed hash of the browser's address (api/services/client-address.ts), for the API's limits. */
  clientRef?: string;
}

/**
 * The input as operators read it in the Temporal UI (decoded through the codec server): the call's own facts first,
 * the frozen machine (tens of kilobytes of JSON) last, so the first screen shows whose session it is.
 */
export function machineLast(input: SessionInput): SessionInput {
  const { machine, ...facts } = input;
  return { ...facts, machine };
}

function startOptions(input: SessionInput, taskQueue: string | undefined, extra: SessionMemoExtra = {}): WorkflowStartOptions<typeof sessionWorkflow> {
  const workflowId = sessionWorkflowId(input.channel, input.callId);
  const attributes = [
    { key: SESSION_SEARCH_ATTRIBUTES.machine, value: input.machine.name },
    { key: SESSION_SEARCH_ATTRIBUTES.machineVersion, value: input.machine.version },
    { key: SESSION_SEARCH_ATTRIBUTES.channel, value: input.channel },
    { key: SESSION_SEARCH_ATTRIBUTES.state, value: input.machine.entry },
    ...(input.caller ? [{ key: SESSION_SEARCH_ATTRIBUTES.callerHash, value: piiHash(input.caller) }] : []),
  ];
  return {
    taskQueue: taskQueue ?? SESSION_TASK_QUEUE,
    workflowId,
    args: [machineLast(input)],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: attributes,
    memo: { machine: input.machine.name, machineVersion: input.machine.version, channel: input.channel, ...(extra.clientRef ? { clientRef: extra.clientRef } : {}) },
    staticSummary: `${input.channel} session on ${input.machine.name} ${input.machine.version}`,
  };
}

export async function startSessionWorkflow(
  client: Client,
  input: SessionInput,
  opts: { taskQueue?: string } = {},
): Promise<WorkflowHandle<typeof sessionWorkflow>> {
  return client.workflow.start('sessionWorkflow', startOptions(input, opts.taskQueue)) as Promise<WorkflowHandle<typeof sessionWorkflow>>;
}

/**
 * Starts a new session and answers its first view (once it waits for the person, or has ended) in one round trip:
 * the `firstView` update sent with the start (Update-with-Start). The id must be new: the conflict policy is FAIL,
 * so a start never attaches to a session already running under that id (a restart gets a fresh id and a fresh run).
 */
export async function startSessionWithFirstView(
  client: Client,
  input: SessionInput,
  opts: { taskQueue?: string; memo?: SessionMemoExtra } = {},
): Promise<SessionView> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof sessionWorkflow>('sessionWorkflow', {
    ...startOptions(input, opts.taskQueue, opts.memo),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
  });
  return client.workflow.executeUpdateWithStart(firstViewUpdate, { startWorkflowOperation });
}

/**
 * The machine a session starts in another state than its entry (a portal session continuing a call after the
 * magic link): the engine starts at `entry`, so the frozen copy names the state to continue from. Unknown states
 * are refused here, before anything starts.
 */
export function machineStartingAt(machine: CompiledMachine, state: string): CompiledMachine {
  if (!machine.states[state]) throw new Error(`machine ${machine.name} has no state '${state}' to start a session in`);
  return state === machine.entry ? machine : { ...machine, entry: state };
}
