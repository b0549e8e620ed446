import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOdooClient, NotFound, OdooError, OdooUnavailable, RegistryReloading } from '../../lib/odoo/client';

const fast = { retries: 2, backoffBaseMs: 1, backoffMaxMs: 5, timeoutMs: 2_000, checkFields: false };

/** A server answering every JSON-2 call like Odoo 19 answers an unexpected exception: HTTP 500 + JSON body. */
async function failingOdoo(body: unknown, contentType = 'application/json; charset=utf-8') {
  let hits = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits += 1;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(500, { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(text)), Connection: "close" });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits: () => hits, stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('JSON-2 keeps Odoo\'s error name and message on HTTP 500 (a create is not repeated)', async () => {
  const odoo = await failingOdoo({ name: 'builtins.KeyError', message: "'res.partner.image_1024'", arguments: ['res.partner.image_1024'], context: {}, debug: 'Traceback' });
  const client = createOdooClient({ url: odoo.url, db: 'odoo', apiKey: 'k', transport: 'json2', ...fast });
  const err = await client.callKw('res.partner', 'create', [{ name: 'X' }]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OdooError);
  // Odoo's KeyError on a field key is the registry reload: typed as such, not as a dead server
  expect(err).toBeInstanceOf(RegistryReloading);
  expect(err).toMatchObject({ odooName: 'builtins.KeyError', odooMessage: "'res.partner.image_1024'", httpStatus: 500, transport: 'json2' });
  expect(odoo.hits()).toBe(1);
  await client.close();
  await odoo.stop();
});

test('JSON-2 maps a 500 body like the session transport maps it (KeyError naming the model → NotFound)', async () => {
  const odoo = await failingOdoo({ name: 'builtins.KeyError', message: "'x.unknown'", arguments: ['x.unknown'], context: {}, debug: '' });
  const client = createOdooClient({ url: odoo.url, db: 'odoo', apiKey: 'k', transport: 'json2', ...fast });
  await expect(client.callKw('x.unknown', 'write', [[1], { a: 1 }])).rejects.toBeInstanceOf(NotFound);
  await client.close();
  await odoo.stop();
});

test('a 500 without Odoo\'s JSON body is still unavailability, retried for reads', async () => {
  const odoo = await failingOdoo('<html>Internal Server Error</html>', 'text/html');
  const client = createOdooClient({ url: odoo.url, db: 'odoo', apiKey: 'k', transport: 'json2', ...fast });
  await expect(client.callKw('res.partner', 'search', [[]])).rejects.toBeInstanceOf(OdooUnavailable);
  expect(odoo.hits()).toBe(3);
  await client.close();
  await odoo.stop();
});
// the simulator's own JSON-2 500 body (registry reload KeyError) is checked in registry-reload.test.ts
