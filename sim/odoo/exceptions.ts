/**
 * Python-side exceptions as the simulated Odoo raises them. Each carries the qualified Python class name that
 * Odoo's `serialize_exception` puts in `data.name`, its `args` (serialized as `arguments`) and, for JSON-2, the
 * HTTP status Odoo 19 maps it to (`UserError.http_status` and friends, werkzeug exception codes).
 */
export class PyException extends Error {
  constructor(
    /** e.g. `odoo.exceptions.ValidationError`, `builtins.ValueError` */
    readonly pyName: string,
    message: string,
    /** JSON-2 status: 422 for UserError and subclasses unless they define their own. */
    readonly httpStatus: number,
    readonly pyArgs: unknown[] = [message],
    /** Extra response headers (JSON-2 401 carries `WWW-Authenticate`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const userError = (msg: string) => new PyException('odoo.exceptions.UserError', msg, 422);
export const validationError = (msg: string) => new PyException('odoo.exceptions.ValidationError', msg, 422);
export const accessError = (msg: string) => new PyException('odoo.exceptions.AccessError', msg, 403);
export const accessDenied = (msg = 'Access Denied') => new PyException('odoo.exceptions.AccessDenied', msg, 403);
export const missingError = (msg: string) => new PyException('odoo.exceptions.MissingError', msg, 404);
export const valueError = (msg: string) => new PyException('builtins.ValueError', msg, 500);
export const typeError = (msg: string) => new PyException('builtins.TypeError', msg, 500);
export const keyError = (key: string) => new PyException('builtins.KeyError', `'${key}'`, 500, [key]);
export const attributeError = (msg: string) => new PyException('builtins.AttributeError', msg, 500);
export const sessionExpired = () => new PyException('odoo.http.SessionExpiredException', 'Session expired', 401);

/** werkzeug HTTP exceptions: `message` is the description, `arguments` is `[description, code]` in JSON-2. */
export class HttpException extends PyException {
  constructor(
    readonly werkzeugName: 'NotFound' | 'UnprocessableEntity' | 'Unauthorized' | 'BadRequest' | 'UnsupportedMediaType',
    readonly code: number,
    readonly description: string,
    headers: Record<string, string> = {},
  ) {
    super(`werkzeug.exceptions.${werkzeugName}`, description, code, [description, code], headers);
  }
}

export const NOT_FOUND_DESCRIPTION =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
export const notFound = (description = NOT_FOUND_DESCRIPTION) => new HttpException('NotFound', 404, description);
export const unprocessable = (description: string) => new HttpException('UnprocessableEntity', 422, description);

/** The text Odoo's `debug` member carries: a Python traceback ending with the exception line. */
export function fakeTraceback(e: PyException): string {
  return `Traceback (most recent call last):\n  File "odoo/http.py", line 2150, in _serve_db\n${e.pyName}: ${e.message}\n`;
}

/** `serialize_exception` of odoo/http.py: the member order is Odoo's. */
export function serializeException(e: PyException, opts: { message?: string; arguments?: unknown[] } = {}) {
  return {
    name: e.pyName,
    debug: fakeTraceback(e),
    message: opts.message ?? e.message,
    arguments: opts.arguments ?? e.pyArgs,
    context: {},
  };
}
