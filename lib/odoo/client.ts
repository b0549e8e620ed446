/**
 * The typed Odoo client: one `callKw(model, method, args, kwargs)` over session JSON-RPC, /jsonrpc with an API
 * key, or JSON-2; the server version; `fields_get` cached per model; create/write values checked against the
 * server's fields so a field missing on this version (e.g. `mobile` on 19) fails clearly before reaching Odoo.
 */
import { z } from 'zod';
import { parseOdooConfig, type OdooConfig, type OdooConfigInput } from './config';
import { createLogger } from '../log';
import { OdooError, OdooProtocolError, RegistryReloading, UnknownField } from './errors';
import { READ_METHODS, type HttpPolicy } from './http';
import { jsonRpc } from './transports/jsonrpc-envelope';
import { Json2Transport } from './transports/json2';
import { JsonRpcApiKeyTransport } from './transports/jsonrpc-apikey';
import { SessionJsonRpcTransport } from './transports/session-jsonrpc';
import type { OdooTransport } from './transports/types';

export type { OdooConfig, OdooConfigInput } from './config';
export { odooConfigFromEnv, parseOdooConfig } from './config';
export * from './errors';

export interface OdooFieldInfo {
  type: string;
  string?: string;
  relation?: string;
  required?: boolean;
  readonly?: boolean;
}

export interface OdooClient {
  callKw<T = unknown>(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<T>;
  serverVersion(): Promise<{ major: number; label: string }>;
  fields(model: string): Promise<Record<string, OdooFieldInfo>>;
  /** The transport in use, resolved on first call (auto picks by version and credentials). */
  transport(): Promise<OdooTransport>;
  close(): Promise<void>;
}

const VersionInfo = z.object({ server_version: z.string(), server_version_info: z.array(z.unknown()).min(1) }).passthrough();

const FieldsGet = z.record(z.string(), z.object({
  type: z.string(), string: z.string().optional(), relation: z.string().optional(), required: z.boolean().optional(), readonly: z.boolean().optional(),
}).passthrough());

const log = createLogger('odoo-client');

/**
 * Calls repeated when Odoo answers that it is reloading its registry. Odoo rolls the call's transaction back on
 * that error, and these give the same end state when they ran twice anyway: reads, `write` (same values) and
 * archiving. Not repeated: `create` and `message_post` (a second run would add a second record or message if the
 * first had gone through) and every other method; those surface RegistryReloading to the caller.
 */
export const RELOAD_RETRIED_METHODS = new Set([...READ_METHODS, 'write', 'action_archive', 'action_unarchive']);
/** A registry reload on a real server lasts seconds: this many extra attempts, waiting base·2^n capped at max. */
const RELOAD_RETRIES = 5;

/** Values a create/write carries: one dict, or a list of dicts for create. */
function valueDicts(method: string, args: unknown[], kwargs: Record<string, unknown>): Array<Record<string, unknown>> {
  const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const v = method === 'create' ? args[0] ?? kwargs.vals_list : args[1] ?? kwargs.vals;
  if (Array.isArray(v)) return v.filter(isDict);
  return isDict(v) ? [v] : [];
}

export function createOdooClient(input: OdooConfig | OdooConfigInput): OdooClient {
  const config = parseOdooConfig(input);
  const policy: HttpPolicy = { timeoutMs: config.timeoutMs, retries: config.retries, backoffBaseMs: config.backoffBaseMs, backoffMaxMs: config.backoffMaxMs };
  let versionP: Promise<{ major: number; label: string }> | undefined;
  let transportP: Promise<OdooTransport> | undefined;
  const fieldCache = new Map<string, Promise<Record<string, OdooFieldInfo>>>();

  function serverVersion() {
    versionP ??= jsonRpc(`${config.url}/web/webclient/version_info`, {}, {}, policy, { transport: 'session', method: 'version_info', idempotent: true })
      .then(({ result }) => {
        const v = VersionInfo.safeParse(result);
        const major = v.success ? Number(v.data.server_version_info[0]) : NaN;
        if (!v.success || !Number.isInteger(major)) throw new OdooProtocolError(`Odoo ${config.url}/web/webclient/version_info answered no version`, { method: 'version_info' });
        return { major, label: v.data.server_version };
      })
      .catch((e: unknown) => {
        versionP = undefined;
        throw e;
      });
    return versionP;
  }

  async function pickTransport(): Promise<OdooTransport> {
    let choice = config.transport;
    if (choice === 'auto') choice = config.apiKey ? ((await serverVersion()).major >= 19 ? 'json2' : 'jsonrpc') : 'session';
    switch (choice) {
      case 'json2':
        return new Json2Transport({ url: config.url, db: config.db, apiKey: config.apiKey!, policy });
      case 'jsonrpc':
        if (!config.login) {
          throw new OdooError(`Odoo at ${config.url} is ${(await serverVersion()).label}, without JSON-2: the /jsonrpc transport needs a login (set ODOO_LOGIN)`, { transport: 'jsonrpc' });
        }
        return new JsonRpcApiKeyTransport({ url: config.url, db: config.db, login: config.login!, secret: config.apiKey ?? config.password!, policy });
      default:
        return new SessionJsonRpcTransport({ url: config.url, db: config.db, login: config.login!, password: config.password!, policy });
    }
  }

  function transport() {
    transportP ??= pickTransport().catch((e: unknown) => {
      transportP = undefined;
      throw e;
    });
    return transportP;
  }

  async function rawCall(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>) {
    return (await transport()).callKw(model, method, args, kwargs);
  }

  function fields(model: string) {
    let p = fieldCache.get(model);
    if (!p) {
      p = rawCall(model, 'fields_get', [], { attributes: ['type', 'string', 'relation', 'required', 'readonly'] }).then((r) => {
        const parsed = FieldsGet.safeParse(r);
        if (!parsed.success) throw new OdooProtocolError(`Odoo ${model}.fields_get answered an unexpected shape`, { model, method: 'fields_get' });
        return parsed.data as Record<string, OdooFieldInfo>;
      });
      p.catch(() => fieldCache.delete(model));
      fieldCache.set(model, p);
    }
    return p;
  }

  async function checkFields(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>) {
    const dicts = valueDicts(method, args, kwargs);
    if (dicts.length === 0) return;
    const known = await fields(model);
    for (const d of dicts) {
      for (const key of Object.keys(d)) {
        if (known[key]) continue;
        const label = (await serverVersion().catch(() => ({ label: 'unknown' }))).label;
        const t = (await transport()).name;
        throw new UnknownField(
          `Odoo ${model}.${method}: field '${key}' does not exist on ${model} in Odoo ${label}; ask client.fields('${model}') and write only the fields it lists`,
          { model, method, transport: t, field: key, serverVersion: label },
        );
      }
    }
  }

  return {
    async callKw<T = unknown>(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<T> {
      if (config.checkFields && (method === 'create' || method === 'write')) await checkFields(model, method, args, kwargs);
      // a custom field created through ir.model.fields changes its model's fields
      if (model === 'ir.model.fields' && method === 'create') fieldCache.clear();
      const retried = RELOAD_RETRIED_METHODS.has(method);
      for (let attempt = 0; ; attempt++) {
        try {
          return (await rawCall(model, method, args, kwargs)) as T;
        } catch (e) {
          if (!(e instanceof RegistryReloading)) throw e;
          const again = retried && attempt < RELOAD_RETRIES;
          log.warn({ call: `${model}.${method}`, attempt: attempt + 1, problem: 'registry reload', retry: again }, 'odoo registry reloading');
          if (!again) {
            throw new RegistryReloading(retried ? `${e.message} (still reloading after ${attempt + 1} attempts)` : `${e.message}; ${method} is not repeated automatically: check Odoo, then repeat it`, {
              model, method, transport: e.transport, odooName: e.odooName, odooMessage: e.odooMessage, httpStatus: e.httpStatus, cause: e, attempts: attempt + 1,
            });
          }
          // half fixed, half jittered so the wait grows even with an unlucky draw
          const cap = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** attempt);
          await new Promise((r) => setTimeout(r, Math.round(cap / 2 + (Math.random() * cap) / 2)));
        }
      }
    },
    serverVersion,
    fields,
    transport,
    async close() {
      const t = transportP;
      transportP = undefined;
      fieldCache.clear();
      if (t) await (await t.catch(() => undefined))?.close();
    },
  };
}
