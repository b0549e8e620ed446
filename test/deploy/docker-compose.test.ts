/**
 * docker-compose.yml is validated without a Docker engine by compose-go, the library Docker Compose itself uses
 * (tools/compose-validate, built with the Go toolchain from the Go module proxy): schema, required variables,
 * service references. A broken file must fail the same way.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { METRIC_DEFS, PRODUCT_METRIC_NAMES, registerAllMetrics, registry } from '../../lib/metrics';

const ROOT = path.join(__dirname, '..', '..');
const TOOL_DIR = path.join(ROOT, 'tools', 'compose-validate');
const BIN = path.join(ROOT, '.tools', 'compose-validate');
const SECRETS = { POSTGRES_PASSWORD: 'test-only', ODOO_DB_PASSWORD: 'test-only', ESL_PASSWORD: 'test-only', GRAFANA_ADMIN_PASSWORD: 'test-only' };

jest.setTimeout(300_000);

beforeAll(() => {
  const sources = ['main.go', 'go.mod', 'go.sum'].map((f) => fs.statSync(path.join(TOOL_DIR, f)).mtimeMs);
  if (fs.existsSync(BIN) && fs.statSync(BIN).mtimeMs > Math.max(...sources)) return;
  fs.mkdirSync(path.dirname(BIN), { recursive: true });
  execFileSync('go', ['build', '-o', BIN, '.'], { cwd: TOOL_DIR, stdio: 'inherit' });
});

function validate(file: string, env: Record<string, string>) {
  // A clean environment: no .env, no secrets from the developer's shell.
  const clean = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
  return spawnSync(BIN, [file], { cwd: path.dirname(file), env: clean, encoding: 'utf8' });
}

test('the shipped docker-compose.yml is valid and names the product services', () => {
  const r = validate(path.join(ROOT, 'docker-compose.yml'), SECRETS);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.split('\n')).toEqual(
    expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'codec-server', 'odoo', 'odoo-db', 'api', 'worker', 'freeswitch', 'esl-bridge', 'voice-worker', 'prometheus', 'grafana']),
  );
});

test('without its secrets the file refuses to load, naming the variable', () => {
  const r = validate(path.join(ROOT, 'docker-compose.yml'), {});
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/POSTGRES_PASSWORD/);
});

test('a service depending on a service that does not exist is rejected', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-'));
  const broken = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8').replace('depends_on: [temporal]', 'depends_on: [temporal-typo]');
  expect(broken).toContain('temporal-typo');
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), broken);
  const r = validate(path.join(dir, 'docker-compose.yml'), SECRETS);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/temporal-typo/);
});

test('without the Grafana admin password the file refuses to load, naming it (no default password)', () => {
  const { GRAFANA_ADMIN_PASSWORD: _omitted, ...others } = SECRETS;
  const r = validate(path.join(ROOT, 'docker-compose.yml'), others);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/GRAFANA_ADMIN_PASSWORD/);
});

// ---- Metrics: Prometheus, Grafana, the dashboard and the names the code registers ----

interface ComposeService {
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
}
const compose = (): { services: Record<string, ComposeService> } => YAML.parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const DEPLOY = path.join(ROOT, 'deploy');
const dashboard = () => JSON.parse(fs.readFileSync(path.join(DEPLOY, 'grafana', 'dashboards', 'care-ivr.json'), 'utf8')) as { uid: string; panels: Panel[] };
interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
}

test('prometheus and grafana: loopback ports, files mounted from deploy/, every scrape target a service that serves metrics there', () => {
  const { services } = compose();
  for (const name of ['prometheus', 'grafana']) {
    const svc = services[name]!;
    expect(svc.ports?.length).toBeGreaterThan(0);
    for (const p of svc.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
    for (const v of svc.volumes ?? []) {
      const host = v.split(':')[0]!;
      if (host.startsWith('./')) expect(fs.existsSync(path.join(ROOT, host))).toBe(true);
    }
  }
  expect(services.grafana!.environment!.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);

  const prom = YAML.parse(fs.readFileSync(path.join(DEPLOY, 'prometheus', 'prometheus.yml'), 'utf8')) as {
    scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
  };
  const targets = prom.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets));
  expect(targets.length).toBeGreaterThanOrEqual(5);
  for (const t of targets) {
    const [host, port] = t.split(':');
    const env = services[host!]?.environment;
    expect({ target: t, service: env ? 'found' : 'missing' }).toEqual({ target: t, service: 'found' });
    // The port is the service's METRICS_PORT (ivr_*) or its TEMPORAL_METRICS_ADDRESS (the SDK's), beyond loopback.
    const served = [env!.METRICS_HOST === '0.0.0.0' ? env!.METRICS_PORT : undefined, env!.TEMPORAL_METRICS_ADDRESS?.startsWith('0.0.0.0:') ? env!.TEMPORAL_METRICS_ADDRESS.split(':')[1] : undefined];
    expect(served).toContain(port);
  }
  // The processes that run sessions are all scraped.
  for (const svc of ['api', 'worker', 'voice-worker', 'esl-bridge']) expect(targets).toContain(`${svc}:9464`);
  // No product metrics port is published outside the compose network.
  for (const svc of ['api', 'worker', 'voice-worker', 'esl-bridge']) for (const p of services[svc]!.ports ?? []) expect(p).not.toMatch(/946[45]/);
});

test('grafana provisioning: the datasource the dashboard names, and a provider for the folder compose mounts', () => {
  const ds = YAML.parse(fs.readFileSync(path.join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
    datasources: Array<{ uid: string; type: string; url: string }>;
  };
  expect(ds.datasources).toEqual([expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' })]);
  const prov = YAML.parse(fs.readFileSync(path.join(DEPLOY, 'grafana', 'provisioning', 'dashboards', 'care-ivr.yml'), 'utf8')) as {
    providers: Array<{ options: { path: string } }>;
  };
  const mounted = compose().services.grafana!.volumes!.find((v) => v.startsWith('./deploy/grafana/dashboards:'))!.split(':')[1];
  expect(prov.providers.map((p) => p.options.path)).toEqual([mounted]);
  for (const panel of dashboard().panels.filter((p) => p.type !== 'row')) {
    expect(panel.datasource?.uid).toBe('prometheus');
    for (const t of panel.targets ?? []) expect(t.datasource?.uid).toBe('prometheus');
  }
});

test('the dashboard parses, and every query names metrics the code registers (a renamed metric fails here)', () => {
  const d = dashboard();
  expect(d.uid).toBe('care-ivr');
  const panels = d.panels.filter((p) => p.type !== 'row');
  expect(panels.length).toBeGreaterThanOrEqual(12);
  // What the code really registers, read back from the registry (not from the list alone).
  registerAllMetrics();
  const registered = new Map(registry.getMetricsAsArray().map((m) => [m.name, String(m.type)]));
  for (const name of PRODUCT_METRIC_NAMES) expect(registered.has(name)).toBe(true);
  const used = new Set<string>();
  for (const panel of panels) {
    expect(panel.targets?.length).toBeGreaterThan(0);
    for (const { expr } of panel.targets ?? []) {
      for (const [series] of expr.matchAll(/\bivr_[a-z0-9_]+/g)) {
        const family = series.replace(/_(bucket|sum|count)$/, '');
        const type = registered.get(family) ?? registered.get(series);
        expect({ panel: panel.title, series, registered: type !== undefined }).toEqual({ panel: panel.title, series, registered: true });
        // Quantiles need a histogram's buckets; a histogram is never read as a plain series.
        if (series.endsWith('_bucket')) expect(type).toBe('histogram');
        if (type === 'histogram') expect(series).not.toBe(family);
        used.add(family);
      }
    }
  }
  // Every product metric is on the dashboard, so a new one is not forgotten there.
  expect(PRODUCT_METRIC_NAMES.filter((n) => !used.has(n))).toEqual([]);
  // What the issue asks to see: turn latency quantiles, outcomes and goals, API and peers, ESL, the SDK's slots.
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
  for (const q of ['0.5', '0.95', '0.99']) expect(exprs).toContain(`histogram_quantile(${q}, sum by (le) (rate(${METRIC_DEFS.turnLatency.name}_bucket`);
  expect(exprs).toMatch(/ivr_sessions_ended_total\{goal="reached"\}/);
  expect(exprs).toContain('temporal_worker_task_slots_available');
  expect(exprs).toContain('temporal_workflow_task_schedule_to_start_latency_bucket');
  // The SDK's series are checked against a worker's real exporter in test/metrics/worker-metrics.test.ts.
});
