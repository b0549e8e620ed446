/**
 * Starting a session workflow from the outside (esl-bridge on a new call, the portal, `ivr simulate`).
 * Starting twice is harmless: the second start attaches to the running session.
 */
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { piiHash } from '../lib/log';
import { SESSION_SEARCH_ATTRIBUTES } from '../workflows/search-attribute-keys';
import { sessionWorkflowId, type SessionInput } from '../workflows/session-api';
import type { sessionWorkflow } from '../workflows/session';

export const SESSION_TASK_QUEUE = process.env.SESSION_TASK_QUEUE ?? 'ivr-sessions';

export async function startSessionWorkflow(
  client: Client,
  input: SessionInput,
  opts: { taskQueue?: string } = {},
): Promise<WorkflowHandle<typeof sessionWorkflow>> {
  const workflowId = sessionWorkflowId(input.channel, input.callId);
  const attributes = [
    { key: SESSION_SEARCH_ATTRIBUTES.machine, value: input.machine.name },
    { key: SESSION_SEARCH_ATTRIBUTES.machineVersion, value: input.machine.version },
    { key: SESSION_SEARCH_ATTRIBUTES.channel, value: input.channel },
    { key: SESSION_SEARCH_ATTRIBUTES.state, value: input.machine.entry },
    ...(input.caller ? [{ key: SESSION_SEARCH_ATTRIBUTES.callerHash, value: piiHash(input.caller) }] : []),
  ];
  return client.workflow.start('sessionWorkflow', {
    taskQueue: opts.taskQueue ?? SESSION_TASK_QUEUE,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: attributes,
    memo: { machine: input.machine.name, machineVersion: input.machine.version, channel: input.channel },
    staticSummary: `${input.channel} session on ${input.machine.name} ${input.machine.version}`,
  }) as Promise<WorkflowHandle<typeof sessionWorkflow>>;
}
