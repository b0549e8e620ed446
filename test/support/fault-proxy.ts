/**
 * A fault proxy for tests: an HTTP proxy put between a client and a peer (the API and the Odoo or Brevo simulator,
 * the worker and the API) that applies per-request rules. A rule matches on method and path, on the JSON-RPC /
 * JSON-2 model and method of an Odoo call, and on text the request body must contain (to aim at one case's record
 * when cases run side by side), and does one of:
 *  - `delay`: forward, let the peer act, and hold its answer `ms` before passing it on (a slow peer);
 *  - `drop_after`: forward, let the peer act, then cut the client's connection without an answer (a lost answer);
 *  - `drop_before`: cut the client's connection without forwarding (the peer never sees the request);
 *  - `status`: answer `status` without forwarding (a proxy or gateway failing in front of the peer).
 * A rule applies `times` times (default 1), then stops matching; `hits` counts what each rule did.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'delay'; ms: number }
  | { kind: 'drop_after' }
  | { kind: 'drop_before' }
  | { kind: 'status'; status: number; body?: unknown };

export interface FaultRule {
  /** HTTP method (upper case); any when omitted. */
  method?: string;
  /** Exact path, or a pattern on the path (query excluded); any when omitted. */
  path?: string | RegExp;
  /** Odoo call: model and method from a JSON-RPC body (call_kw or execute_kw) or a JSON-2 path. */
  rpc?: { model: string; method: string };
  /** Text the raw request body must contain (every one of them). */
  bodyIncludes?: string | string[];
  fault: Fault;
  /** How many matching requests get the fault (default 1). */
  times?: number;
}

export interface FaultHit {
  rule: number;
  fault: Fault['kind'];
  method: string;
  path: string;
}

export interface FaultProxy {
  url: string;
  /** Adds a rule; returns its index (used in `hits`). */
  add(rule: FaultRule): number;
  /** Forgets every rule (hits stay). */
  clear(): void;
  readonly hits: FaultHit[];
  /** Requests that went through unharmed. */
  readonly passed: number;
  close(): Promise<void>;
}

/** The Odoo model and method a request names, whatever the transport. */
export function odooCallOf(path: string, body: string): { model: string; method: string } | null {
  const json2 = /^\/json\/2\/([^/]+)\/([^/?]+)$/.exec(path);
  if (json2) return { model: json2[1]!, method: json2[2]! };
  if (!body) return null;
  try {
    const parsed = JSON.parse(body) as { params?: { model?: unknown; method?: unknown; args?: unknown[]; service?: unknown } };
    const p = parsed.params;
    if (!p) return null;
    if (typeof p.model === 'string' && typeof p.method === 'string') return { model: p.model, method: p.method };
    // /jsonrpc: {service: "object", method: "execute_kw", args: [db, uid, secret, model, method, …]}
    if (p.service === 'object' && Array.isArray(p.args) && typeof p.args[3] === 'string' && typeof p.args[4] === 'string') {
      return { model: p.args[3], method: p.args[4] };
    }
  } catch {
    return null;
  }
  return null;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'proxy-connection', 'upgrade']);

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  const rules: Array<FaultRule & { left: number }> = [];
  const hits: FaultHit[] = [];
  let passed = 0;
  const sockets = new Set<Socket>();

  const matching = (method: string, path: string, body: string): number => {
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.left <= 0) continue;
      if (r.method && r.method !== method) continue;
      if (r.path !== undefined && (typeof r.path === 'string' ? r.path !== path : !r.path.test(path))) continue;
      if (r.rpc) {
        const call = odooCallOf(path, body);
        if (!call || call.model !== r.rpc.model || call.method !== r.rpc.method) continue;
      }
      const needles = r.bodyIncludes === undefined ? [] : Array.isArray(r.bodyIncludes) ? r.bodyIncludes : [r.bodyIncludes];
      if (!needles.every((t) => body.includes(t))) continue;
      return i;
    }
    return -1;
  };

  const forward = (req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
      headers.host = to.host;
      headers['content-length'] = String(body.length);
      const out = http.request(
        { protocol: to.protocol, hostname: to.hostname, port: to.port, method: req.method, path: req.url, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const h: http.OutgoingHttpHeaders = {};
            for (const [k, v] of Object.entries(res.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) h[k] = v;
            resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const method = req.method ?? 'GET';
        const path = new URL(req.url ?? '/', 'http://proxy').pathname;
        const index = matching(method, path, body.toString('utf8'));
        const rule = index >= 0 ? rules[index]! : undefined;
        if (rule) {
          rule.left -= 1;
          hits.push({ rule: index, fault: rule.fault.kind, method, path });
        } else passed += 1;
        const fault = rule?.fault;
        if (fault?.kind === 'drop_before') {
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'status') {
          const text = JSON.stringify(fault.body ?? { error: 'injected by the fault proxy' });
          res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.end(text);
          return;
        }
        let answer: Awaited<ReturnType<typeof forward>>;
        try {
          answer = await forward(req, body);
        } catch {
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'drop_after') {
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
        // the client may have given up meanwhile: then there is nobody to answer
        if (req.socket.destroyed) return;
        res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
        res.end(answer.body);
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    add(rule) {
      rules.push({ ...rule, left: rule.times ?? 1 });
      return rules.length - 1;
    },
    clear() {
      for (const r of rules) r.left = 0;
    },
    hits,
    get passed() {
      return passed;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
