/**
 * Portal starts are bounded per browser address (each start is a workflow): past the limit a start is a 429 with
 * Retry-After while another address still starts, and the store names the address by its keyed hash only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiStore } from '../../api/store/store';
import { startLocalStack, type LocalStack } from '../../stack/local-stack';
import { PortalClient } from './support';

jest.setTimeout(180_000);

const ADDRESS = '198.51.100.23';
let stack: LocalStack | undefined;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-start-limits-'));
  stack = await startLocalStack({
    // The API trusts its loopback proxy: X-Forwarded-For names each browser's address.
    env: { ...process.env, LOG_LEVEL: 'warn', TRUST_PROXY: 'loopback', RATE_PORTAL_START_PER_IP: '2' },
    taskQueue: `portal-start-limits-${process.pid}`,
    apiStoreDir: path.join(dataDir, 'store'),
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a third start from one address is refused, another address starts, and no bucket holds an address', async () => {
  const from = (address: string) => new PortalClient(stack!.apiUrl, { 'x-forwarded-for': address });
  expect((await from(ADDRESS).start()).status).toBe(200);
  expect((await from(ADDRESS).start()).status).toBe(200);
  const third = await from(ADDRESS).start();
  expect(third.status).toBe(429);
  expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await from('198.51.100.24').start()).status).toBe(200);

  await stack!.stop();
  stack = undefined;
  const store = await ApiStore.open({ dataDir: path.join(dataDir, 'store') });
  try {
    const { rows } = await store.db.query<{ bucket: string }>('SELECT bucket FROM rate_windows');
    const starts = rows.map((r) => r.bucket).filter((b) => b.startsWith('portal-start:'));
    expect(starts).toHaveLength(2);
    for (const b of starts) expect(b).toMatch(/^portal-start:client:[0-9a-f]{32}$/);
    expect(rows.map((r) => r.bucket).join(' ')).not.toContain('198.51.100');
  } finally {
    await store.close();
  }
});
