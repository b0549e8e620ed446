/**
 * The JSON-RPC 2.0 envelope Odoo speaks on /web/* and /jsonrpc: errors come back with HTTP 200 and
 * `{error: {code, message, data: {name, message, arguments, context, debug}}}`.
 */
import { z } from 'zod';
import { errorFromOdoo, OdooProtocolError, type OdooTransportName } from '../errors';
import { postJson, type HttpAnswer, type HttpPolicy } from '../http';

const ErrorData = z.object({ name: z.string(), message: z.string().optional() }).passthrough();
const Envelope = z.union([
  z.object({ jsonrpc: z.literal('2.0'), error: z.object({ code: z.number(), message: z.string(), data: ErrorData.optional() }) }).passthrough(),
  z.object({ jsonrpc: z.literal('2.0'), result: z.unknown().optional() }).passthrough(),
]);

export interface RpcSite {
  transport: OdooTransportName;
  model?: string;
  method?: string;
  idempotent: boolean;
}

let nextId = 1;

export interface RpcOutcome {
  result: unknown;
  answer: HttpAnswer;
}

export async function jsonRpc(url: string, params: Record<string, unknown>, headers: Record<string, string>, policy: HttpPolicy, site: RpcSite): Promise<RpcOutcome> {
  const body = JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: nextId++ });
  const answer = await postJson(url, body, headers, policy, site);
  const ctx = { transport: site.transport, model: site.model, method: site.method, httpStatus: answer.status };
  const type = answer.headers.get('content-type') ?? '';
  if (answer.status !== 200 || !type.includes('json')) {
    const hint = answer.status === 404 ? ' (is ODOO_URL the Odoo root?)' : '';
    throw new OdooProtocolError(`Odoo ${url} answered HTTP ${answer.status} ${type || 'without content type'} where a JSON-RPC answer was due${hint}: ${answer.text.slice(0, 120)}`, ctx);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    throw new OdooProtocolError(`Odoo ${url} answered invalid JSON: ${answer.text.slice(0, 120)}`, ctx);
  }
  const env = Envelope.safeParse(parsed);
  if (!env.success) throw new OdooProtocolError(`Odoo ${url} answered JSON that is not a JSON-RPC 2.0 response: ${answer.text.slice(0, 120)}`, ctx);
  if ('error' in env.data) {
    const e = env.data.error as { code: number; message: string; data?: { name: string; message?: string } };
    throw errorFromOdoo(e.data ?? { name: '', message: e.message }, { ...ctx, rpcCode: e.code });
  }
  // Odoo leaves `result` out when the method returned None
  return { result: (env.data as { result?: unknown }).result ?? null, answer };
}
