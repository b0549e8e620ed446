/**
 * The FreeSWITCH nodes the product talks to, read by the esl-bridge and by the voice workers alike: one node from
 * ESL_HOST/ESL_PORT/ESL_PASSWORD, several from ESL_NODES (JSON). Each node's voice activities run on the task queue
 * voiceTaskQueue(name).
 */
import { z } from 'zod';
import { ConfigError } from '../env';
import { DEFAULT_PASSWORD } from './config';

export const NodeSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,40}$/i, 'node name must be letters, digits, "-" or "_" (it becomes the task queue voice-<name>)'),
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535).default(8021),
  password: z.string().min(1, 'password is empty'),
});
export type EslNode = z.infer<typeof NodeSchema>;

export const NodesEnvSchema = z.object({
  ESL_NODES: z.string().optional(),
  ESL_NODE_NAME: z.string().default('fs1'),
  ESL_HOST: z.string().min(1).default('127.0.0.1'),
  ESL_PORT: z.coerce.number().int().min(1).max(65535).default(8021),
  ESL_PASSWORD: z.string().min(1).optional(),
  ESL_ALLOW_DEFAULT_PASSWORD: z.enum(['0', '1']).default('0'),
});

/** Reads the nodes: ESL_NODES wins; otherwise one node from ESL_HOST/ESL_PORT/ESL_PASSWORD named ESL_NODE_NAME. */
export function loadNodes(env: z.infer<typeof NodesEnvSchema>): EslNode[] {
  let nodes: EslNode[];
  if (env.ESL_NODES) {
    let raw: unknown;
    try {
      raw = JSON.parse(env.ESL_NODES);
    } catch (err) {
      throw new ConfigError(`ESL_NODES is not JSON (${(err as Error).message}); expected [{"name":"fs1","host":"10.0.0.5","port":8021,"password":"…"}]`);
    }
    const r = z.array(NodeSchema).min(1, 'ESL_NODES lists no node').safeParse(raw);
    if (!r.success) {
      throw new ConfigError(`Invalid ESL_NODES:\n${r.error.issues.map((i) => `  - [${i.path.join('.')}]: ${i.message}`).join('\n')}`);
    }
    nodes = r.data;
    const names = new Set<string>();
    for (const n of nodes) {
      if (names.has(n.name)) throw new ConfigError(`ESL_NODES names node "${n.name}" twice; node names must be unique (they name task queues)`);
      names.add(n.name);
    }
  } else {
    if (!env.ESL_PASSWORD) {
      throw new ConfigError('ESL_PASSWORD is required (the event-socket password of FreeSWITCH, event_socket.conf.xml), or set ESL_NODES');
    }
    nodes = [NodeSchema.parse({ name: env.ESL_NODE_NAME, host: env.ESL_HOST, port: env.ESL_PORT, password: env.ESL_PASSWORD })];
  }
  if (env.ESL_ALLOW_DEFAULT_PASSWORD !== '1') {
    const weak = nodes.find((n) => n.password === DEFAULT_PASSWORD);
    if (weak) {
      throw new ConfigError(
        `node "${weak.name}" uses FreeSWITCH's well-known default event-socket password: change it in event_socket.conf.xml (ESL_PASSWORD), or set ESL_ALLOW_DEFAULT_PASSWORD=1 for a local lab`,
      );
    }
  }
  return nodes;
}

/** The task queue of the voice worker connected to a node. */
export function voiceTaskQueue(nodeName: string): string {
  return `voice-${nodeName}`;
}
