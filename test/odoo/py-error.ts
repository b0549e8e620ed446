import { PyException } from '../../sim/odoo/exceptions';

/** Runs `fn` and returns the Odoo (Python-side) exception it raised; fails the test when it raised none. */
export function pyError(fn: () => unknown): PyException {
  try {
    fn();
  } catch (e) {
    if (e instanceof PyException) return e;
    throw e;
  }
  throw new Error('expected an Odoo exception');
}
