/**
 * The tiny SQL driver the store's repositories run on: embedded PGlite by default, node-postgres when DATABASE_URL
 * is set. Same SQL text on both (PGlite is PostgreSQL compiled to WASM).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface SqlDriver {
  readonly kind: 'pglite' | 'pg';
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number }>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Error from the database with PostgreSQL's SQLSTATE when there is one. */
export class SqlError extends Error {
  override name = 'SqlError';
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one process's database: a second process opening the same folder (e.g. `ivr operators add` while the
 * API runs) would corrupt it. A lock file holding the owner's pid refuses that, and a lock left by a dead process
 * is taken over.
 */
/** Folders this process holds: a lock file with our own pid but not listed here is from an earlier process that had the same pid (containers restart as pid 1). */
const heldHere = new Set<string>();

function lockDataDir(dir: string): () => void {
  const file = path.join(dir, '.ivr-store.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      heldHere.add(dir);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        heldHere.delete(dir);
        fs.rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      const ours = owner === process.pid;
      if (Number.isInteger(owner) && owner > 0 && (ours ? heldHere.has(dir) : alive(owner))) {
        throw new SqlError(
          `The API store in ${dir} is in use by process ${owner}${owner === process.pid ? ' (this one)' : ''}; ` +
            'an embedded store has one user at a time: stop that process (e.g. the API) and retry, or use DATABASE_URL (PostgreSQL).',
          'store_locked',
        );
      }
      fs.rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  throw new SqlError(`Could not lock the API store in ${dir}; retry.`, 'store_locked');
}

/** PGlite in a worker thread (see pglite-worker.js); `memory://` keeps the data in memory. */
export async function openPgliteDriver(dataDir: string): Promise<SqlDriver> {
  const inMemory = dataDir === 'memory://';
  let unlock = () => {};
  if (!inMemory) {
    fs.mkdirSync(path.resolve(dataDir), { recursive: true });
    unlock = lockDataDir(path.resolve(dataDir));
  }
  try {
    return await startPgliteWorker(inMemory ? null : path.resolve(dataDir), unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function startPgliteWorker(dataDir: string | null, unlock: () => void): Promise<SqlDriver> {
  const worker = new Worker(path.join(__dirname, 'pglite-worker.js'));
  // Referenced only while a query is in flight: a forgotten close() must not keep the process alive.
  worker.unref();
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let dead: Error | null = null;
  const failAll = (err: Error) => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: { message: string; code?: string } }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.ok) p.resolve(m.result);
    else p.reject(new SqlError(m.error?.message ?? 'database error', m.error?.code));
  });
  worker.on('error', (e) => failAll(e instanceof Error ? e : new Error(String(e))));
  worker.on('exit', () => failAll(new SqlError('the embedded database worker has stopped')));
  const call = <T>(msg: Record<string, unknown>): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.ref(); // keep the process alive while a query is in flight
      worker.postMessage({ ...msg, id });
    });
  };
  worker.on('exit', unlock);
  try {
    await call({ op: 'open', dataDir });
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return {
    kind: 'pglite',
    query<R>(sql: string, params: unknown[] = []) {
      return call<{ rows: R[]; rowCount: number }>({ op: 'query', sql, params });
    },
    async exec(sql: string) {
      await call({ op: 'exec', sql });
    },
    async close() {
      if (dead) return unlock();
      await call({ op: 'close' });
      await worker.terminate();
      unlock();
    },
  };
}

export async function openPgDriver(connectionString: string): Promise<SqlDriver> {
  const { Pool } = await import('pg');
  const pool = new Pool({ connectionString, max: 10 });
  // Surface a wrong URL at start rather than on the first request.
  await pool.query('SELECT 1');
  return {
    kind: 'pg',
    async query<R>(sql: string, params: unknown[] = []) {
      const r = await pool.query(sql, params);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async close() {
      await pool.end();
    },
  };
}
