/**
 * The public model methods the simulated Odoo serves, with their Python signatures, so both calling styles bind
 * like Odoo binds them: call_kw/execute_kw (ids first for record methods, then positional args and kwargs) and
 * JSON-2 (named arguments only, `ids` separate, unknown argument → 422).
 */
import { accessError, attributeError, missingError, notFound, PyException, typeError, unprocessable, valueError } from './exceptions';
import { markupEscape, type OdooDatabase } from './orm';
import { pyRepr } from './pyrepr';

type Named = Record<string, unknown>;

interface Param {
  name: string;
  default?: unknown;
}

interface MethodSpec {
  /** `@api.model`: no ids. */
  model: boolean;
  params: Param[];
  /** accepts **kwargs */
  varkw?: boolean;
  only?: (model: string, db: OdooDatabase) => boolean;
  run(db: OdooDatabase, model: string, ids: number[], a: Named, call: CallInfo): unknown;
}

export interface CallInfo {
  uid: number;
  /** JSON-2 returns `result.ids` for recordsets; call_kw returns an id for `create(dict)`. */
  style: 'call_kw' | 'json2';
  /** the call's context (`kwargs.context` in call_kw, `context` in JSON-2): `active_test: false` shows archived rows */
  context: Record<string, unknown>;
}

const activeTest = (call: CallInfo) => call.context.active_test !== false;

const REQUIRED = Symbol('required');

const optNumber = (v: unknown, what: string): number | undefined => {
  if (v === null || v === undefined || v === false) return undefined;
  if (typeof v !== 'number') throw typeError(`'${what}' must be an integer, not ${typeof v}`);
  return v;
};
const optString = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const optFields = (v: unknown): string[] | undefined => {
  if (v === null || v === undefined || v === false) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw typeError(`fields must be a list of field names, got ${pyRepr(v)}`);
  return v as string[];
};
const valsDict = (v: unknown): Named => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw valueError(`Invalid values ${pyRepr(v)}: a dictionary is expected`);
  return v as Named;
};

function ensureOne(model: string, ids: number[]): number {
  if (ids.length !== 1) throw valueError(`Expected singleton: ${model}(${ids.join(', ')}${ids.length === 1 ? ',' : ''})`);
  return ids[0]!;
}

function existing(db: OdooDatabase, model: string, ids: number[], uid: number): void {
  const missing = ids.filter((i) => !db.get(model, i));
  if (missing.length) throw missingError(db.missingMessage(model, missing, uid));
}

const attendeeState = (state: string): MethodSpec => ({
  model: false,
  params: [],
  only: (m) => m === 'calendar.attendee',
  run: (db, model, ids, _a, call) => db.write(model, ids, { state }, { uid: call.uid }),
});

export const METHODS: Record<string, MethodSpec> = {
  search: {
    model: true,
    params: [{ name: 'domain', default: REQUIRED }, { name: 'offset', default: 0 }, { name: 'limit', default: null }, { name: 'order', default: null }],
    run: (db, model, _ids, a, call) => db.search(model, a.domain, { offset: optNumber(a.offset, 'offset'), limit: optNumber(a.limit, 'limit'), order: optString(a.order), activeTest: activeTest(call) }),
  },
  search_read: {
    model: true,
    params: [{ name: 'domain', default: null }, { name: 'fields', default: null }, { name: 'offset', default: 0 }, { name: 'limit', default: null }, { name: 'order', default: null }],
    varkw: true,
    run: (db, model, _ids, a, call) => {
      const fields = optFields(a.fields);
      const ids = db.search(model, a.domain ?? [], { offset: optNumber(a.offset, 'offset'), limit: optNumber(a.limit, 'limit'), order: optString(a.order), activeTest: activeTest(call) });
      return db.read(model, ids, fields);
    },
  },
  search_count: {
    model: true,
    params: [{ name: 'domain', default: REQUIRED }, { name: 'limit', default: null }],
    run: (db, model, _ids, a, call) => db.search(model, a.domain, { limit: optNumber(a.limit, 'limit'), activeTest: activeTest(call) }).length,
  },
  read: {
    model: false,
    params: [{ name: 'fields', default: null }, { name: 'load', default: '_classic_read' }],
    run: (db, model, ids, a) => db.read(model, ids, optFields(a.fields)),
  },
  create: {
    model: true,
    params: [{ name: 'vals_list', default: REQUIRED }],
    run: (db, model, _ids, a, call) => {
      const single = !Array.isArray(a.vals_list);
      const list = single ? [valsDict(a.vals_list)] : (a.vals_list as unknown[]).map(valsDict);
      const created: number[] = [];
      try {
        for (const vals of list) created.push(db.create(model, vals, { uid: call.uid, context: call.context }));
      } catch (e) {
        // one transaction: nothing of a failed batch stays
        for (const id of created) if (db.get(model, id)) db.unlink(model, [id]);
        throw e;
      }
      return single && call.style === 'call_kw' ? created[0] : created;
    },
  },
  write: {
    model: false,
    params: [{ name: 'vals', default: REQUIRED }],
    run: (db, model, ids, a, call) => db.write(model, ids, valsDict(a.vals), { uid: call.uid, context: call.context }),
  },
  unlink: {
    model: false,
    params: [],
    run: (db, model, ids, _a, call) => db.unlink(model, ids, call.uid),
  },
  exists: {
    model: false,
    params: [],
    run: (db, model, ids) => ids.filter((i) => db.get(model, i)),
  },
  action_archive: {
    model: false,
    params: [],
    only: (m, db) => 'active' in db.fieldsOf(m),
    run: (db, model, ids, _a, call) => db.write(model, ids, { active: false }, { uid: call.uid }),
  },
  action_unarchive: {
    model: false,
    params: [],
    only: (m, db) => 'active' in db.fieldsOf(m),
    run: (db, model, ids, _a, call) => db.write(model, ids, { active: true }, { uid: call.uid }),
  },
  fields_get: {
    model: true,
    params: [{ name: 'allfields', default: null }, { name: 'attributes', default: null }],
    run: (db, model, _ids, a) => db.fieldsGet(model, optFields(a.allfields), optFields(a.attributes)),
  },
  name_search: {
    model: true,
    params: [{ name: 'name', default: '' }, { name: 'domain', default: null }, { name: 'operator', default: 'ilike' }, { name: 'limit', default: 100 }],
    run: (db, model, _ids, a) => {
      const rec = db.models[model]!.recName;
      const name = typeof a.name === 'string' ? a.name : '';
      const extra = Array.isArray(a.domain) ? a.domain : [];
      const domain = name ? ['&', [rec, String(a.operator ?? 'ilike'), name], ...(extra.length ? extra : [[1, '=', 1]])] : extra;
      return db.search(model, domain, { limit: optNumber(a.limit, 'limit') ?? 100 }).map((id) => [id, db.displayName(model, id)]);
    },
  },
  message_post: {
    model: false,
    params: [{ name: 'body', default: '' }, { name: 'subject', default: null }, { name: 'message_type', default: 'notification' }, { name: 'subtype_xmlid', default: null }, { name: 'partner_ids', default: null }],
    varkw: true,
    only: (m, db) => Boolean(db.models[m]?.mailThread),
    run: (db, model, ids, a, call) => {
      const id = ensureOne(model, ids);
      existing(db, model, [id], call.uid);
      const partners = Array.isArray(a.partner_ids) ? a.partner_ids : [];
      // since 17 a str body is text: escaped, so HTML sent over RPC shows its tags unless body_is_html=True says it
      // is HTML (16 has no such flag and keeps a str body as HTML)
      const raw = typeof a.body === 'string' ? a.body : '';
      const asHtml = db.version < 17 || a.body_is_html === true;
      const msg = db.create('mail.message', {
        model, res_id: id, body: asHtml ? raw : markupEscape(raw), subject: a.subject ?? false,
        message_type: a.message_type ?? 'notification', partner_ids: partners,
      }, { uid: call.uid });
      return call.style === 'json2' ? [msg] : msg;
    },
  },
  // ir.config_parameter's public API (set_param returns the previous value, or False)
  get_param: {
    model: true,
    params: [{ name: 'key', default: REQUIRED }, { name: 'default', default: false }],
    only: (m) => m === 'ir.config_parameter',
    run: (db, model, _ids, a) => {
      const id = db.search(model, [['key', '=', String(a.key)]], { limit: 1 })[0];
      return id !== undefined ? db.get(model, id)!.value : a.default;
    },
  },
  set_param: {
    model: true,
    params: [{ name: 'key', default: REQUIRED }, { name: 'value', default: REQUIRED }],
    only: (m) => m === 'ir.config_parameter',
    run: (db, model, _ids, a, call) => {
      const id = db.search(model, [['key', '=', String(a.key)]], { limit: 1 })[0];
      const old = id !== undefined ? db.get(model, id)!.value : false;
      if (a.value === false || a.value === null) {
        if (id !== undefined) db.unlink(model, [id], call.uid);
      } else if (id !== undefined) db.write(model, [id], { value: String(a.value) }, { uid: call.uid });
      else db.create(model, { key: String(a.key), value: String(a.value) }, { uid: call.uid });
      return old;
    },
  },
  do_accept: attendeeState('accepted'),
  do_decline: attendeeState('declined'),
  do_tentative: attendeeState('tentative'),
};

/** 18+ names the method in AccessError/AttributeError; older servers used Python's wording. */
export function resolveMethod(db: OdooDatabase, model: string, method: string): MethodSpec {
  if (method.startsWith('_')) {
    throw accessError(db.version >= 18
      ? `Private methods (such as '${model}.${method}') cannot be called remotely.`
      : `Private methods (such as ${method}) cannot be called remotely.`);
  }
  const spec = METHODS[method];
  if (!spec || (spec.only && !spec.only(model, db))) {
    throw attributeError(db.version >= 18 ? `The method '${model}.${method}' does not exist` : `type object '${model}' has no attribute '${method}'`);
  }
  return spec;
}

function qualified(model: string, method: string): string {
  return `${model.split('.').map((p) => p[0]!.toUpperCase() + p.slice(1)).join('')}.${method}()`;
}

/** Binds positional + keyword arguments to a signature the way Python does, or raises its TypeError. */
export function bindArgs(spec: MethodSpec, model: string, method: string, args: unknown[], kwargs: Named, style: 'python' | 'inspect'): Named {
  const out: Named = {};
  const fn = qualified(model, method);
  // JSON-2 binds with inspect.signature().bind and answers its TypeError as 422
  const fail = (python: string, inspect: string) => (style === 'inspect' ? unprocessable(inspect) : typeError(python));
  if (args.length > spec.params.length) {
    throw fail(`${fn} takes from 1 to ${spec.params.length + 1} positional arguments but ${args.length + 1} were given`, 'too many positional arguments');
  }
  spec.params.forEach((p, i) => {
    if (i < args.length) out[p.name] = args[i];
  });
  for (const [k, v] of Object.entries(kwargs)) {
    const known = spec.params.some((p) => p.name === k);
    if (!known && !spec.varkw) {
      throw fail(`${fn} got an unexpected keyword argument '${k}'`, `got an unexpected keyword argument '${k}'`);
    }
    if (known && k in out) throw fail(`${fn} got multiple values for argument '${k}'`, `multiple values for argument '${k}'`);
    out[k] = v;
  }
  for (const p of spec.params) {
    if (p.name in out) continue;
    if (p.default === REQUIRED) {
      throw fail(`${fn} missing 1 required positional argument: '${p.name}'`, `missing a required argument: '${p.name}'`);
    }
    out[p.name] = p.default;
  }
  return out;
}

export function toIds(v: unknown): number[] {
  if (typeof v === 'number' && Number.isInteger(v)) return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x))) return v as number[];
  throw typeError(`ids must be a list of integers, got ${pyRepr(v)}`);
}

/** call_kw / execute_kw: ids are the first positional argument of a record method; `context` is not an argument. */
export function callKw(db: OdooDatabase, model: string, method: string, args: unknown[], allKwargs: Named, uid: number): unknown {
  const { context, ...kwargs } = allKwargs;
  if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context))) {
    throw typeError(`context must be a dictionary, got ${pyRepr(context)}`);
  }
  const spec = resolveMethod(db, model, method);
  let ids: number[] = [];
  let rest = args;
  if (!spec.model) {
    if (args.length === 0) throw new PyException('builtins.IndexError', 'list index out of range', 500);
    ids = toIds(args[0]);
    rest = args.slice(1);
  }
  const named = bindArgs(spec, model, method, rest, kwargs, 'python');
  return spec.run(db, model, ids, named, { uid, style: 'call_kw', context: (context as Named | undefined) ?? {} });
}

/** JSON-2: named arguments, `ids` given separately (already validated by the caller). */
export function callJson2(db: OdooDatabase, model: string, method: string, ids: number[], kwargs: Named, uid: number, context: Named = {}): unknown {
  let spec: MethodSpec;
  try {
    spec = resolveMethod(db, model, method);
  } catch (e) {
    // the JSON-2 controller turns get_public_method's AttributeError into a 404
    if (e instanceof PyException && e.pyName === 'builtins.AttributeError') throw notFound(e.message);
    throw e;
  }
  if (spec.model && ids.length) throw unprocessable(`cannot call ${model}.${method} with ids`);
  const named = bindArgs(spec, model, method, [], kwargs, 'inspect');
  return spec.run(db, model, ids, named, { uid, style: 'json2', context });
}
