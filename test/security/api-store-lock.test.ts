/**
 * The embedded store (PGlite) is one process's database: a second opener (e.g. `ivr operators` while the API runs)
 * would corrupt it. The lock refuses a live owner and takes over a lock left by a process that is gone, including
 * one with our own pid from an earlier life (containers restart as pid 1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiStore } from '../../api/store/store';

describe('embedded store lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-store-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a second opener is refused while the first holds the store, and admitted after it closes', async () => {
    const first = await ApiStore.open({ dataDir: dir });
    try {
      await expect(ApiStore.open({ dataDir: dir })).rejects.toThrow(/in use by process \d+ \(this one\)/);
    } finally {
      await first.close();
    }
    const second = await ApiStore.open({ dataDir: dir });
    expect(await second.ping()).toBe(true);
    await second.close();
    expect(fs.existsSync(path.join(dir, '.ivr-store.lock'))).toBe(false);
  }, 60_000);

  test('a lock left by a process that is gone, or by an earlier process with our pid, is taken over', async () => {
    fs.writeFileSync(path.join(dir, '.ivr-store.lock'), String(process.pid));
    const a = await ApiStore.open({ dataDir: dir });
    await a.close();
    fs.writeFileSync(path.join(dir, '.ivr-store.lock'), '2147483646');
    const b = await ApiStore.open({ dataDir: dir });
    expect(await b.ping()).toBe(true);
    await b.close();
  }, 60_000);
});
