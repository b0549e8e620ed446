/**
 * Configuration of the esl-bridge: the FreeSWITCH nodes (lib/esl/nodes.ts), which number reaches the IVR, which
 * event starts a session, which machine runs.
 */
import { z } from 'zod';
import { parseEnv } from '../lib/env';
import { loadNodes, NodesEnvSchema, type EslNode } from '../lib/esl/nodes';

export const BridgeEnvSchema = NodesEnvSchema.extend({
  /** Destination numbers (comma-separated) the IVR extension answers. */
  IVR_DESTINATION: z
    .string()
    .default('5000')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[0-9A-Za-z+*#_-]{1,32}$/, 'IVR_DESTINATION entries must be dialable numbers or extension names')).min(1)),
  /** The event that starts a session: the shipped dialplan answers then parks, so CHANNEL_PARK. */
  IVR_START_EVENT: z.enum(['CHANNEL_PARK', 'CHANNEL_ANSWER']).default('CHANNEL_PARK'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  MACHINE_FILE: z.string().min(1).default('machines/rdv-ivr.yaml'),
});

export interface BridgeConfig {
  nodes: EslNode[];
  destinations: string[];
  startEvent: 'CHANNEL_PARK' | 'CHANNEL_ANSWER';
  temporalAddress: string;
  namespace: string;
  machineFile: string;
}

export function loadBridgeConfig(envIn: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const env = parseEnv(BridgeEnvSchema, envIn, 'esl-bridge configuration');
  return {
    nodes: loadNodes(env),
    destinations: env.IVR_DESTINATION,
    startEvent: env.IVR_START_EVENT,
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    machineFile: env.MACHINE_FILE,
  };
}
