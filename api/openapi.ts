/** OpenAPI 3.1 document generated from the same zod schemas the routes validate with. */
import { z } from 'zod';
import type { AnyRoute } from './http';
import { errorSchema } from './schemas';

function jsonSchema(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return schema; // OpenAPI 3.1's dialect is already JSON Schema 2020-12
}

function parametersOf(s: z.ZodType | undefined, where: 'path' | 'query'): Array<Record<string, unknown>> {
  if (!s) return [];
  const js = jsonSchema(s, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, schema]) => ({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema }));
}

/** A multipart form: the text fields of `body`, plus the file. */
function formSchema(body: z.ZodType | undefined, fileField: string): Record<string, unknown> {
  const fields = body ? (jsonSchema(body, 'input') as { properties?: Record<string, unknown>; required?: string[] }) : {};
  return {
    type: 'object',
    properties: { ...(fields.properties ?? {}), [fileField]: { type: 'string', contentMediaType: 'application/octet-stream' } },
    required: [...(fields.required ?? []), fileField],
  };
}

export function buildOpenApi(routes: AnyRoute[], info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorJs = jsonSchema(errorSchema, 'output');
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')];
    if (r.idempotent) {
      const schema = r.idempotencyKey ? jsonSchema(r.idempotencyKey, 'input') : { type: 'string', maxLength: 200 };
      parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema, description: 'Same key + same request → the stored answer, without redoing the effect; same key + another request → 422.' });
    }
    const responses: Record<string, unknown> = { '200': { description: 'OK', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } } };
    const errs: Array<[number, string]> = [[400, 'invalid_request'], ...(r.auth === 'none' ? [] : [[401, r.auth === 'bearer' ? 'unauthorized, session_expired (WWW-Authenticate: Bearer error="invalid_token")' : r.auth === 'operator' ? 'unauthorized: no, unknown or revoked operator token' : 'unauthorized: a token was sent and is not valid'] as [number, string]]), ...(r.errors ?? []), [502, 'odoo_unavailable'], [504, 'odoo_timeout']];
    for (const [status, code] of errs) {
      const k = String(status);
      const prev = responses[k] as { description: string } | undefined;
      responses[k] = { description: prev ? `${prev.description}, ${code}` : code, content: { 'application/json': { schema: errorJs } } };
    }
    paths[path] = {
      ...(paths[path] ?? {}),
      [r.method]: {
        summary: r.summary,
        parameters,
        ...(r.upload ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: formSchema(r.body, r.upload.field) } } } } : r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
        ...(r.auth === 'bearer' ? { security: [{ bearer: [] }] } : r.auth === 'optional' ? { security: [{ bearer: [] }, {}] } : r.auth === 'operator' ? { security: [{ operator: [] }] } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'session_token from PUT /auth/verify-otp or GET /portal/link/{token}' },
        operator: { type: 'http', scheme: 'bearer', description: 'operator token from `npx ivr operators add <name>` (never a session token)' },
      },
    },
    paths,
  };
}
