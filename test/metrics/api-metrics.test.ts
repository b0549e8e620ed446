/**
 * The API's metrics on the real stack (Odoo and Brevo simulators): after a few requests, GET /metrics shows the
 * request histogram labelled by route template (never the raw path, its ids or any personal data), error answers
 * by code, and the peers' calls by endpoint. And the exposure rule: no /metrics on the API's port without
 * METRICS_TOKEN; with it, only for a scrape that carries it; METRICS_PORT opens a loopback listener of its own.
 */
import { loadApiConfig } from '../../api/config';
import { statusClass } from '../../lib/metrics';
import { call, login, startStack, type Stack } from '../api/stack';

const LINA = '+261321234567';
const TOKEN = 'metrics-token-0123456789abcdef';

let s: Stack;

beforeAll(async () => {
  s = await startStack(new Date('2030-03-01T09:00:00Z'), { METRICS_PORT: 0 });
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

async function scrape(url: string, token?: string): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

/** The value of one series, e.g. `ivr_api_request_duration_seconds_count{route="/appointments/:id",...}`. */
function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    const have = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('after a few requests: the route histogram by template, errors by code, peer calls, and no personal data', async () => {
  const { token } = await login(s.api.url, s.brevoSim, LINA);
  expect((await call(s.api.url, 'GET', '/appointments/31', { token })).status).toBe(200);
  expect((await call(s.api.url, 'GET', '/appointments/31', { token })).status).toBe(200);
  expect((await call(s.api.url, 'GET', '/appointments/987654', { token })).status).toBe(404);
  expect((await call(s.api.url, 'GET', '/no/such/route/+33612345678')).status).toBe(404);
  // A magic link's page: its token is in the path.
  const page = await fetch(`${s.api.url}/portal/link/secret-link-token-abcdef`);
  await page.text();

  expect(s.api.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const m = await scrape(s.api.metricsUrl!);
  expect(m.status).toBe(200);
  expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);

  const count = (route: string, method: string, cls: string) =>
    series(m.text, 'ivr_api_request_duration_seconds_count', { route, method, status_class: cls });
  expect(count('/appointments/:id', 'GET', '2xx')).toBe(2);
  expect(count('/appointments/:id', 'GET', '4xx')).toBe(1);
  expect(count('/auth/request-otp', 'PUT', '2xx')).toBe(1);
  expect(count('/auth/verify-otp', 'PUT', '2xx')).toBe(1);
  expect(count('unmatched', 'GET', '4xx')).toBe(1);
  // The portal's pages are one route with three paths: the label is its template list.
  expect(count('/portal|/portal/|/portal/link/:token', 'GET', statusClass(page.status))).toBe(1);
  expect(series(m.text, 'ivr_api_errors_total', { route: '/appointments/:id', code: 'not_found', status_class: '4xx' })).toBe(1);
  expect(series(m.text, 'ivr_api_errors_total', { route: 'unmatched', code: 'route_not_found' })).toBe(1);

  // Peers: the SMS went through Brevo, the appointment was read from Odoo.
  expect(series(m.text, 'ivr_peer_request_duration_seconds_count', { peer: 'brevo', endpoint: 'sms', result: 'ok' })).toBe(1);
  expect(m.text).toMatch(/ivr_peer_request_duration_seconds_count\{peer="odoo",endpoint="calendar\.event\.[a-z_]+",result="ok"\} [1-9]/);

  // No raw path, id, phone number, token or code in any label.
  for (const leak of ['987654', '/appointments/31', '612345678', '321234567', 'secret-link-token', token, '/no/such']) expect(m.text).not.toContain(leak);
});

test('a peer that cannot be reached: its calls count as errors of their endpoint and class', async () => {
  const api = await s.server({ odoo: { url: 'http://127.0.0.1:9', timeoutMs: 500 } });
  const health = await call(api.url, 'GET', '/healthz');
  expect(health.body.odoo).toEqual({ reachable: false });
  const m = await scrape(s.api.metricsUrl!);
  expect(series(m.text, 'ivr_peer_request_duration_seconds_count', { peer: 'odoo', endpoint: 'server_version', result: 'error' })).toBeGreaterThanOrEqual(1);
  expect(m.text).toMatch(/ivr_peer_errors_total\{peer="odoo",endpoint="server_version",error="[A-Za-z]+"\} [1-9]/);
});

test('the API port serves no /metrics without METRICS_TOKEN; the metrics listener is loopback by default', async () => {
  expect((await call(s.api.url, 'GET', '/metrics')).status).toBe(404);
  expect(new URL(s.api.metricsUrl!).hostname).toBe('127.0.0.1');
  // The listener serves only /metrics.
  expect((await scrape(s.api.metricsUrl!.replace('/metrics', '/healthz'))).status).toBe(404);
});

test('with METRICS_TOKEN: the API port answers /metrics only with the token, and so does the metrics listener', async () => {
  const api = await s.server({ config: { METRICS_TOKEN: TOKEN, METRICS_PORT: 0 } });
  const onApiPort = `${api.url}/metrics`;
  const refused = await scrape(onApiPort);
  expect(refused.status).toBe(401);
  expect(refused.text).not.toContain('ivr_');
  expect((await scrape(onApiPort, 'not-the-token-0123456789')).status).toBe(401);
  const ok = await scrape(onApiPort, TOKEN);
  expect(ok.status).toBe(200);
  expect(ok.text).toContain('# TYPE ivr_api_request_duration_seconds histogram');
  expect((await scrape(api.metricsUrl!)).status).toBe(401);
  expect((await scrape(api.metricsUrl!, TOKEN)).status).toBe(200);
});

test('metrics settings are validated with the rest of the configuration', () => {
  const base = { NODE_ENV: 'test', OTP_HASH_KEY: 'test-otp-hash-key-0123', SESSION_KEY: 'test-session-key-01234' };
  expect(() => loadApiConfig({ ...base, METRICS_PORT: '70000' })).toThrow(/METRICS_PORT: a port 0-65535/);
  expect(() => loadApiConfig({ ...base, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN needs 16\+ characters/);
  const c = loadApiConfig({ ...base, METRICS_PORT: '9464' });
  expect(c).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: '127.0.0.1' });
  expect(loadApiConfig(base).METRICS_PORT).toBeUndefined();
  // Blank lines of a copied .env.example leave them unset.
  expect(loadApiConfig({ ...base, METRICS_PORT: '', METRICS_TOKEN: '' })).toMatchObject({ METRICS_PORT: undefined, METRICS_TOKEN: undefined });
});
