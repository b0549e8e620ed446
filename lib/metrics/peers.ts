/**
 * Latency and errors of calls to the API's peers (Odoo, Brevo), measured around the client methods the API uses:
 * one observation per call, retries inside the client included, labelled by endpoint (Odoo model.method, Brevo
 * send kind) and never by what was sent.
 */
import { counter, errorClass, histogram, labelValue } from './registry';

export type Peer = 'odoo' | 'brevo';

/** Times `run` as one call of `peer` at `endpoint`; a rejected promise counts as an error of its class. */
export async function observePeerCall<T>(peer: Peer, endpoint: string, run: () => Promise<T>, failed?: (value: T) => boolean): Promise<T> {
  const ep = labelValue(endpoint);
  const end = histogram('peerRequestDuration').startTimer({ peer, endpoint: ep });
  try {
    const value = await run();
    const bad = failed?.(value) ?? false;
    end({ result: bad ? 'error' : 'ok' });
    if (bad) counter('peerErrors').inc({ peer, endpoint: ep, error: 'refused' });
    return value;
  } catch (err) {
    end({ result: 'error' });
    counter('peerErrors').inc({ peer, endpoint: ep, error: errorClass(err) });
    throw err;
  }
}

/**
 * The same object with the named async methods timed. `endpointOf` names the endpoint from the method and its
 * arguments (e.g. Odoo's model and method); it must return a value from code, never from the caller's data.
 */
export function instrumentMethods<T extends object>(
  target: T,
  peer: Peer,
  methods: ReadonlyArray<keyof T & string>,
  endpointOf: (method: string, args: unknown[]) => string = (m) => m,
  failed?: (method: string, value: unknown) => boolean,
): T {
  const wrapped = Object.create(target) as T;
  for (const m of methods) {
    const fn = target[m];
    if (typeof fn !== 'function') continue;
    const call = (...args: unknown[]) =>
      observePeerCall(peer, endpointOf(m, args), () => (fn as (...a: unknown[]) => Promise<unknown>).apply(target, args), failed ? (v) => failed(m, v) : undefined);
    Object.defineProperty(wrapped, m, { value: call, enumerable: true });
  }
  return wrapped;
}
