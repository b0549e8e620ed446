/**
 * Typed errors of the Odoo client, mapped from the three transports' error shapes (JSON-RPC `error.data.name`,
 * JSON-2 HTTP status + `name`). Callers branch on the class; `odooName` keeps Odoo's own exception name.
 */
export type OdooTransportName = 'session' | 'jsonrpc' | 'json2';

export interface OdooErrorContext {
  model?: string;
  method?: string;
  transport?: OdooTransportName;
  /** Odoo's exception class, e.g. `odoo.exceptions.ValidationError` */
  odooName?: string;
  /** Odoo's own message (may quote record values: do not log it in clear) */
  odooMessage?: string;
  httpStatus?: number;
  cause?: unknown;
}

export class OdooError extends Error {
  override name = 'OdooError';
  readonly model?: string;
  readonly method?: string;
  readonly transport?: OdooTransportName;
  readonly odooName?: string;
  readonly odooMessage?: string;
  readonly httpStatus?: number;

  constructor(message: string, ctx: OdooErrorContext = {}) {
    super(message, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.model = ctx.model;
    this.method = ctx.method;
    this.transport = ctx.transport;
    this.odooName = ctx.odooName;
    this.odooMessage = ctx.odooMessage;
    this.httpStatus = ctx.httpStatus;
  }
}

/** Wrong login, password or API key. */
export class AccessDenied extends OdooError { override name = 'AccessDenied'; }
/** The user may not do this (or a private method was called). */
export class AccessError extends OdooError { override name = 'AccessError'; }
/** A constraint refused the values (e.g. a partner without name, an event ending before it starts). */
export class ValidationError extends OdooError { override name = 'ValidationError'; }
/** A business error Odoo shows the user. */
export class UserError extends OdooError { override name = 'UserError'; }
/** The record does not exist (anymore). */
export class MissingError extends OdooError { override name = 'MissingError'; }
/** The web session is gone; the session transport logs in again once before surfacing it. */
export class SessionExpired extends OdooError { override name = 'SessionExpired'; }
/** Unknown model or method (or a route this server does not serve). */
export class NotFound extends OdooError { override name = 'NotFound'; }
/** A create/write names a field this server's model does not have. */
export class UnknownField extends OdooError {
  override name = 'UnknownField';
  constructor(message: string, ctx: OdooErrorContext & { field: string; serverVersion?: string }) {
    super(message, ctx);
    this.field = ctx.field;
    this.serverVersion = ctx.serverVersion;
  }
  readonly field: string;
  readonly serverVersion?: string;
}
/**
 * Odoo could not be reached: network error, timeout, or 5xx after the retries. `outcome` says what is known of a
 * call that changes data: 'not_done' when Odoo surely did not run it (refused connection, 502/503, or a read),
 * 'unknown' when the request was sent and no answer came (a timeout, a cut connection): Odoo may have applied it,
 * so the caller reads the record back before repeating it.
 */
export class OdooUnavailable extends OdooError {
  override name = 'OdooUnavailable';
  constructor(message: string, ctx: OdooErrorContext & { attempts: number; outcome?: 'not_done' | 'unknown' }) {
    super(message, ctx);
    this.attempts = ctx.attempts;
    this.outcome = ctx.outcome ?? 'not_done';
  }
  readonly attempts: number;
  readonly outcome: 'not_done' | 'unknown';
}
/**
 * Odoo was rebuilding its model registry (after a schema change such as `ivr odoo-setup` creating fields) while
 * serving the call: it answers `KeyError: '<model>.<field>'`. Transient; the client retries the calls it may
 * repeat (see client.ts) and surfaces this once the retries are spent or the call may not be repeated.
 */
export class RegistryReloading extends OdooUnavailable { override name = 'RegistryReloading'; }
/** A response that is not what Odoo sends (wrong content type, malformed envelope, HTML where JSON is due). */
export class OdooProtocolError extends OdooError { override name = 'OdooProtocolError'; }

const BY_NAME: Record<string, new (m: string, c: OdooErrorContext) => OdooError> = {
  'odoo.exceptions.AccessDenied': AccessDenied,
  'werkzeug.exceptions.Unauthorized': AccessDenied,
  'odoo.exceptions.AccessError': AccessError,
  'werkzeug.exceptions.Forbidden': AccessError,
  'odoo.exceptions.ValidationError': ValidationError,
  'odoo.exceptions.UserError': UserError,
  'odoo.exceptions.RedirectWarning': UserError,
  'odoo.exceptions.except_orm': UserError,
  'odoo.exceptions.MissingError': MissingError,
  'odoo.http.SessionExpiredException': SessionExpired,
  'werkzeug.exceptions.NotFound': NotFound,
};

function describe(ctx: OdooErrorContext): string {
  const where = ctx.model ? `${ctx.model}${ctx.method ? `.${ctx.method}` : ''}` : ctx.method ?? 'request';
  return `Odoo ${where} over ${ctx.transport ?? 'rpc'}`;
}

/** Builds the typed error for an Odoo error payload (`data` of JSON-RPC, the body of JSON-2). */
export function errorFromOdoo(payload: { name?: string; message?: string }, ctx: OdooErrorContext & { rpcCode?: number }): OdooError {
  const name = payload.name ?? '';
  const full: OdooErrorContext = { ...ctx, odooName: name || undefined, odooMessage: payload.message };
  const text = `${describe(ctx)} failed: ${payload.message ?? 'no message'}${name ? ` (${name})` : ''}`;
  if (ctx.rpcCode === 100) return new SessionExpired(text, full);
  // /jsonrpc execute_kw on an unknown model raises UserError("Object x doesn't exist")
  if (name === 'odoo.exceptions.UserError' && /^Object \S+ doesn't exist$/.test(payload.message ?? '')) return new NotFound(text, full);
  const Cls = BY_NAME[name];
  if (Cls) return new Cls(text, full);
  // unknown method (Python AttributeError) and, on 16/17, unknown model on call_kw (KeyError naming the model)
  if (name === 'builtins.AttributeError' && /does not exist|has no attribute/.test(payload.message ?? '')) return new NotFound(text, full);
  if (name === 'builtins.KeyError' && ctx.model && payload.message === `'${ctx.model}'`) return new NotFound(text, full);
  // a field key ('res.partner.image_1024') missing from the registry: Odoo is reloading it
  if (name === 'builtins.KeyError' && /^'[a-z_][a-z0-9_]*(\.[a-z0-9_]+)+'$/.test(payload.message ?? '')) {
    return new RegistryReloading(`${text}: Odoo was reloading its model registry (a schema change such as ivr odoo-setup); retry in a few seconds`, { ...full, attempts: 1 });
  }
  if (ctx.rpcCode === 404) return new NotFound(text, full);
  return new OdooError(text, full);
}
