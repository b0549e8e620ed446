/** Byte-level details of Odoo's HTTP answers: Python's json.dumps spacing, werkzeug's HTML error pages. */

/** `json.dumps(data, ensure_ascii=False)`: `", "` and `": "` separators, non-ASCII kept as is. */
export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NaN';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`)
      .join(', ')}}`;
  }
  return 'null';
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 415: 'Unsupported Media Type',
  422: 'Unprocessable Entity', 500: 'Internal Server Error',
};

export const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "The browser (or proxy) sent a request that this server could not understand.",
  404: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  405: 'The method is not allowed for the requested URL.',
  415: 'The server does not support the media type transmitted in the request.',
  500: 'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
};

/** werkzeug's HTTPException.get_body(). */
export function werkzeugHtml(code: number, description = DEFAULT_DESCRIPTIONS[code] ?? ''): string {
  const reason = REASONS[code] ?? 'Error';
  return `<!doctype html>\n<html lang=en>\n<title>${code} ${reason}</title>\n<h1>${reason}</h1>\n<p>${description}</p>\n`;
}

export function reasonPhrase(code: number): string {
  return REASONS[code] ?? 'OK';
}
