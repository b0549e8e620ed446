/**
 * The API's metrics: request latency by route template, error answers by code, its peers' calls (lib/metrics).
 * `withHttpMetrics` wraps the app: it times every request and labels it, when the response finishes, with the
 * template of the route that answered (`/appointments/:id`, never the raw path, which may carry an id or a link
 * token). It also serves GET /metrics on the API's own port, only when METRICS_TOKEN is set and the scrape carries
 * it; otherwise the metrics live on their own listener (METRICS_PORT, see api/server.ts), or nowhere.
 */
import type http from 'node:http';
import type { Request, Response } from 'express';
import { answerScrape, counter, histogram, instrumentMethods, labelValue, statusClass } from '../lib/metrics';
import type { BrevoPort, OdooPort } from './ports';

/** sendError (api/http.ts) leaves the answer's error code here; counted when the response finishes. */
const ERROR_CODE_LOCAL = 'apiErrorCode';

/** The template of the route that answered: the route table's path, a router's mount point, or `unmatched`. */
export function routeTemplate(req: Request): string {
  const base = req.baseUrl ?? '';
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${base}${path}` || '/';
  if (Array.isArray(path)) return path.map((p) => `${base}${String(p)}`).join('|');
  if (path instanceof RegExp) return `${base}${literalPrefix(path)}/*`;
  // Middleware that answered without a route (static files, the /crm gate): its mount point.
  return base ? `${base}/*` : 'unmatched';
}

/** The fixed start of a path pattern (`/^\/console(...)$/` → `/console`). */
function literalPrefix(re: RegExp): string {
  const m = /^\^?((?:\\\/|[A-Za-z0-9_-])*)/.exec(re.source);
  return (m?.[1] ?? '').replace(/\\\//g, '/');
}

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Wraps the app's request handler: times every request, labels it when the response finishes with the route that
 * answered (Express keeps it on the same request object), counts error answers by code; and answers GET /metrics
 * itself when a token is configured (the scrape must carry it), before the app sees the request.
 */
export function withHttpMetrics(app: NodeHandler, opts: { token?: string | undefined }): NodeHandler {
  const duration = histogram('apiRequestDuration');
  const errors = counter('apiErrors');
  return (req, res) => {
    if (opts.token && req.method === 'GET' && (req.url ?? '').split('?')[0] === '/metrics') {
      answerScrape(req, res, opts.token).catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ereq = req as Request;
      const route = labelValue(routeTemplate(ereq));
      const cls = statusClass(res.statusCode);
      duration.observe({ route, method: labelValue(req.method ?? 'other'), status_class: cls }, Number(process.hrtime.bigint() - started) / 1e9);
      const code: unknown = (res as Response).locals?.[ERROR_CODE_LOCAL];
      if (typeof code === 'string') errors.inc({ route, code: labelValue(code), status_class: cls });
    });
    app(req, res);
  };
}

/** The Odoo client with every call timed as `odoo` at `<model>.<method>` (server_version and fields by name). */
export function instrumentOdoo(odoo: OdooPort): OdooPort {
  return instrumentMethods(odoo, 'odoo', ['callKw', 'fields', 'serverVersion'], (m, args) =>
    m === 'callKw' ? `${String(args[0])}.${String(args[1])}` : m === 'fields' ? `${String(args[0])}.fields_get` : 'server_version',
  );
}

const BREVO_ENDPOINTS: Record<string, string> = { sendSms: 'sms', sendEmail: 'email', sendWhatsAppTemplate: 'whatsapp' };

/** The Brevo client with every send timed as `brevo` at its kind (sms, email, whatsapp). */
export function instrumentBrevo(brevo: BrevoPort): BrevoPort {
  return instrumentMethods(brevo, 'brevo', ['sendSms', 'sendEmail', 'sendWhatsAppTemplate'], (m) => BREVO_ENDPOINTS[m] ?? 'other');
}
