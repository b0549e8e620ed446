/**
 * External RPC on /jsonrpc (all versions; deprecated since 19, removal announced for 22): `common.authenticate`
 * once for the uid, then `object.execute_kw(db, uid, key, model, method, args, kwargs)` with the API key (or
 * password) on every call — no session to expire.
 */
import { AccessDenied } from '../errors';
import { READ_METHODS, type HttpPolicy } from '../http';
import { jsonRpc } from './jsonrpc-envelope';
import type { OdooTransport } from './types';

export interface JsonRpcOptions {
  url: string;
  db: string;
  login: string;
  /** API key, or the password */
  secret: string;
  policy: HttpPolicy;
}

export class JsonRpcApiKeyTransport implements OdooTransport {
  readonly name = 'jsonrpc' as const;
  private uid: Promise<number> | undefined;

  constructor(private readonly opts: JsonRpcOptions) {}

  private authenticate(): Promise<number> {
    this.uid ??= jsonRpc(`${this.opts.url}/jsonrpc`, { service: 'common', method: 'authenticate', args: [this.opts.db, this.opts.login, this.opts.secret, {}] }, {}, this.opts.policy, {
      transport: 'jsonrpc', method: 'authenticate', idempotent: true,
    }).then(({ result }) => {
      if (typeof result !== 'number' || result <= 0) {
        throw new AccessDenied(`Odoo refused the login '${this.opts.login}' with this API key or password on database '${this.opts.db}'`, { transport: 'jsonrpc', method: 'authenticate' });
      }
      return result;
    }).catch((e: unknown) => {
      this.uid = undefined;
      throw e;
    });
    return this.uid;
  }

  async callKw(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown> {
    const uid = await this.authenticate();
    const { result } = await jsonRpc(
      `${this.opts.url}/jsonrpc`,
      { service: 'object', method: 'execute_kw', args: [this.opts.db, uid, this.opts.secret, model, method, args, kwargs] },
      {}, this.opts.policy, { transport: 'jsonrpc', model, method, idempotent: READ_METHODS.has(method) },
    );
    return result;
  }

  async close(): Promise<void> {
    this.uid = undefined;
  }
}
