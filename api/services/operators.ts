/**
 * Operator credentials: the people (and the local stack) allowed to list, search and write people's records through
 * the operator routes (/crm/*). Like session tokens, an operator token is an opaque random string shown once; the
 * store keeps HMAC(SESSION_KEY, 'operator', token), so a copy of the store yields no usable token. The 'operator'
 * domain of the hash keeps the two kinds apart: a portal session token never opens an operator route, and an
 * operator token never opens a caller's portal.
 */
import { z } from 'zod';
import type { ApiConfig } from '../config';
import { ApiError } from '../errors';
import { systemClock, type Clock } from '../ports';
import type { ApiStore, OperatorRow } from '../store/store';
import { keyedHash, randomToken } from './tokens';

export const operatorNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'an operator name is 1-63 letters, digits, dots, dashes or underscores, starting with a letter or digit');

/** Operator tokens carry a prefix so that a person reading a config file can tell them from session tokens. */
export const OPERATOR_TOKEN_PREFIX = 'op_';

export interface OperatorIdentity {
  name: string;
}

export class OperatorExists extends Error {
  override name = 'OperatorExists';
}

export function invalidToken(message: string, code = 'unauthorized'): ApiError {
  return new ApiError(401, code, message, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
}

export function missingToken(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message, {}, { 'WWW-Authenticate': 'Bearer' });
}

export class OperatorService {
  constructor(
    private readonly store: ApiStore,
    private readonly clock: Clock,
    private readonly key: string,
  ) {}

  private hash(token: string): string {
    return keyedHash(this.key, 'operator', token);
  }

  /** Creates an operator and returns its token, once. A name already used (even revoked) is refused. */
  async add(name: string): Promise<{ name: string; token: string }> {
    const valid = operatorNameSchema.parse(name);
    const token = OPERATOR_TOKEN_PREFIX + randomToken();
    if (!(await this.store.createOperator(valid, this.hash(token), this.clock.now()))) {
      throw new OperatorExists(`An operator named '${valid}' already exists; choose another name (names of revoked operators are kept for the audit log).`);
    }
    return { name: valid, token };
  }

  /** Creates the operator, or gives it a new token (the previous one stops working at once). */
  async issue(name: string): Promise<{ name: string; token: string }> {
    const valid = operatorNameSchema.parse(name);
    const token = OPERATOR_TOKEN_PREFIX + randomToken();
    await this.store.setOperatorToken(valid, this.hash(token), this.clock.now());
    return { name: valid, token };
  }

  list(): Promise<OperatorRow[]> {
    return this.store.listOperators();
  }

  /** False when no active operator has that name. */
  revoke(name: string): Promise<boolean> {
    return this.store.revokeOperator(name, this.clock.now());
  }

  /** The operator a bearer token belongs to; 401 invalid_token when unknown or revoked. */
  async resolve(token: string): Promise<OperatorIdentity> {
    const row = await this.store.getOperatorByTokenHash(this.hash(token));
    if (!row) throw invalidToken('This token is not an operator token; operators get one from `npx ivr operators add <name>`.');
    if (row.revoked) throw invalidToken('This operator token was revoked; ask for a new one (`npx ivr operators add <name>`).');
    // Best effort: a failed timestamp must not refuse a valid operator.
    await this.store.touchOperator(row.name, this.clock.now()).catch(() => undefined);
    return { name: row.name };
  }
}

/**
 * For processes that call the operator routes themselves (the local stack's worker runs the voice-crm machine):
 * creates the operator `name`, or replaces its token, and returns the new token to hand to that caller (e.g. as
 * IVR_OPERATOR_TOKEN). Run it once per start: every call invalidates the previous token of that name.
 */
export async function ensureOperator(
  target: { store: ApiStore; config: Pick<ApiConfig, 'SESSION_KEY'>; clock?: Clock },
  name: string,
): Promise<{ name: string; token: string }> {
  return new OperatorService(target.store, target.clock ?? systemClock, target.config.SESSION_KEY).issue(name);
}
