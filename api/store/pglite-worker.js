// Hosts PGlite in a worker thread: its WASM then never blocks the API's event loop, and its dynamic imports run
// in plain Node (a Jest test VM cannot run them). Messages: {id, op: 'open'|'query'|'exec'|'close', ...}.
'use strict';
const { parentPort } = require('node:worker_threads');

let db = null;

async function handle(msg) {
  switch (msg.op) {
    case 'open': {
      const { PGlite } = require('@electric-sql/pglite');
      db = await PGlite.create(msg.dataDir || undefined);
      return {};
    }
    case 'query': {
      const r = await db.query(msg.sql, msg.params || []);
      return { rows: r.rows, rowCount: Math.max(r.affectedRows || 0, r.rows.length) };
    }
    case 'exec':
      await db.exec(msg.sql);
      return {};
    case 'close':
      if (db) await db.close();
      db = null;
      return {};
    default:
      throw new Error('unknown op ' + msg.op);
  }
}

parentPort.on('message', (msg) => {
  handle(msg).then(
    (result) => parentPort.postMessage({ id: msg.id, ok: true, result }),
    (err) => parentPort.postMessage({ id: msg.id, ok: false, error: { message: String(err && err.message), code: err && err.code } }),
  );
});
