/**
 * JSON-2 (Odoo 19+): `POST /json/2/<model>/<method>` with `Authorization: bearer <api key>` and
 * `X-Odoo-Database`; the body holds named arguments only, `ids` apart; success is the bare result, errors are
 * HTTP 4xx/5xx with `{name, message, arguments, context, debug}`. call_kw-style positional arguments are
 * translated here, and results are made to look like call_kw's (create(dict) → id, message_post → id).
 */
import { errorFromOdoo, NotFound, OdooError, OdooProtocolError } from '../errors';
import { postJson, READ_METHODS, type HttpPolicy } from '../http';
import type { OdooTransport } from './types';

export interface Json2Options {
  url: string;
  db: string;
  apiKey: string;
  policy: HttpPolicy;
}

interface Signature {
  /** record method: args[0] is the ids */
  records: boolean;
  params: string[];
  /** the server returns a recordset of one where call_kw returns an id */
  single?: boolean;
}

/** Positional parameter names of the ORM methods as Odoo 19 declares them. */
const SIGNATURES: Record<string, Signature> = {
  search: { records: false, params: ['domain', 'offset', 'limit', 'order'] },
  search_read: { records: false, params: ['domain', 'fields', 'offset', 'limit', 'order'] },
  search_count: { records: false, params: ['domain', 'limit'] },
  read: { records: true, params: ['fields', 'load'] },
  create: { records: false, params: ['vals_list'] },
  write: { records: true, params: ['vals'] },
  unlink: { records: true, params: [] },
  exists: { records: true, params: [] },
  fields_get: { records: false, params: ['allfields', 'attributes'] },
  name_search: { records: false, params: ['name', 'domain', 'operator', 'limit'] },
  read_group: { records: false, params: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'] },
  default_get: { records: false, params: ['fields_list'] },
  message_post: { records: true, params: [], single: true },
  action_archive: { records: true, params: [] },
  action_unarchive: { records: true, params: [] },
  do_accept: { records: true, params: [] },
  do_decline: { records: true, params: [] },
  do_tentative: { records: true, params: [] },
};

const isIds = (v: unknown): v is number[] | number =>
  (typeof v === 'number' && Number.isInteger(v)) || (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x)));

/** Positional call_kw arguments → JSON-2 named body. Exported for tests. */
export function toNamedArgs(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): { body: Record<string, unknown>; unwrapSingle: boolean } {
  const sig = SIGNATURES[method];
  const body: Record<string, unknown> = {};
  let rest = args;
  let unwrapSingle = false;
  const recordMethod = sig ? sig.records : rest.length > 0 && isIds(rest[0]);
  if (recordMethod) {
    if (rest.length === 0 || !isIds(rest[0])) {
      throw new OdooError(`Odoo ${model}.${method} over json2: the first argument must be the record ids`, { transport: 'json2', model, method });
    }
    const ids = rest[0];
    body.ids = Array.isArray(ids) ? ids : [ids];
    rest = rest.slice(1);
  }
  const names = sig?.params ?? [];
  if (rest.length > names.length) {
    throw new OdooError(`Odoo ${model}.${method} over json2: JSON-2 takes named arguments only; pass the ${rest.length - names.length} extra positional argument(s) as kwargs`, {
      transport: 'json2', model, method,
    });
  }
  rest.forEach((v, i) => (body[names[i]!] = v));
  if (method === 'create' && body.vals_list !== undefined && !Array.isArray(body.vals_list)) {
    body.vals_list = [body.vals_list];
    unwrapSingle = true;
  }
  if (sig?.single) unwrapSingle = true;
  for (const [k, v] of Object.entries(kwargs)) {
    if (k in body) throw new OdooError(`Odoo ${model}.${method} over json2: argument '${k}' given twice (positional and keyword)`, { transport: 'json2', model, method });
    body[k] = v;
  }
  if (method === 'create' && kwargs.vals_list !== undefined && !Array.isArray(kwargs.vals_list)) {
    body.vals_list = [kwargs.vals_list];
    unwrapSingle = true;
  }
  return { body, unwrapSingle };
}

export class Json2Transport implements OdooTransport {
  readonly name = 'json2' as const;

  constructor(private readonly opts: Json2Options) {}

  async callKw(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown> {
    const { body, unwrapSingle } = toNamedArgs(model, method, args, kwargs);
    const url = `${this.opts.url}/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`;
    const answer = await postJson(url, JSON.stringify(body), { Authorization: `bearer ${this.opts.apiKey}`, 'X-Odoo-Database': this.opts.db }, this.opts.policy, {
      transport: 'json2', model, method, idempotent: READ_METHODS.has(method), errorBodyOn5xx: true,
    });
    const ctx = { transport: 'json2' as const, model, method, httpStatus: answer.status };
    const isJson = (answer.headers.get('content-type') ?? '').includes('application/json');
    if (!isJson) {
      if (answer.status === 404) {
        throw new NotFound(`Odoo ${model}.${method} over json2: HTTP 404 page — the database '${this.opts.db}' is unknown or this server does not serve JSON-2 (Odoo 19+)`, ctx);
      }
      throw new OdooProtocolError(`Odoo ${model}.${method} over json2: HTTP ${answer.status} without JSON: ${answer.text.slice(0, 120)}`, ctx);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      throw new OdooProtocolError(`Odoo ${model}.${method} over json2: invalid JSON: ${answer.text.slice(0, 120)}`, ctx);
    }
    if (answer.status !== 200) {
      const p = parsed as { name?: unknown; message?: unknown };
      if (typeof p !== 'object' || p === null || typeof p.name !== 'string') {
        throw new OdooProtocolError(`Odoo ${model}.${method} over json2: HTTP ${answer.status} with a body that is not an Odoo error`, ctx);
      }
      throw errorFromOdoo({ name: p.name, message: typeof p.message === 'string' ? p.message : undefined }, ctx);
    }
    if (unwrapSingle) {
      if (!Array.isArray(parsed)) throw new OdooProtocolError(`Odoo ${model}.${method} over json2: expected a list of ids`, ctx);
      return parsed[0] ?? false;
    }
    return parsed;
  }

  async close(): Promise<void> {
    // stateless: nothing to release
  }
}
