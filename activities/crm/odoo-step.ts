/**
 * How Odoo failures of a capture step become Temporal failures: an unreachable Odoo is retried by Temporal; a
 * refusal (validation, access, unknown field) is not, since the same call would be refused again.
 */
import { ApplicationFailure } from '@temporalio/common';
import { OdooError, OdooUnavailable } from '../../lib/odoo/errors';

/** Runs an Odoo step; Odoo refusals become non-retryable failures named after the Odoo error class. */
export async function odooStep<T>(step: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OdooUnavailable) throw err;
    if (err instanceof OdooError) {
      // Odoo's own message may quote the contact: keep our wording and the class only.
      throw ApplicationFailure.nonRetryable(`${step}: Odoo refused the call (${err.name}${err.odooName ? `, ${err.odooName}` : ''})`, err.name);
    }
    throw err;
  }
}
