/** What every Odoo transport offers the client: one model-method call, and a way to let go of the server. */
import type { OdooTransportName } from '../errors';

export interface OdooTransport {
  readonly name: OdooTransportName;
  /** call_kw semantics: record methods take their ids as the first positional argument. */
  callKw(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}
