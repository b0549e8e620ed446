/**
 * The operator credential of the local stack itself: its parts that call the API's operator routes (`/crm/*`,
 * `Authorization: Bearer <operator token>`) read it from IVR_OPERATOR_TOKEN.
 *
 * The API part makes it once, right after it opens its store (`ensureOperator`, operator `local-stack`): the
 * embedded store is single-process, so only the API can write it while the stack runs. The supervisor then hands the
 * token to the worker and to the API's own restarts, so that a restarted API keeps the token the worker holds
 * (issuing again would revoke it). An IVR_OPERATOR_TOKEN given to `npm start` is used as is.
 */
import type { ApiDeps } from '../api/deps';
import { ensureOperator } from '../api/services/operators';

export const LOCAL_STACK_OPERATOR = 'local-stack';

export async function localOperatorToken(env: NodeJS.ProcessEnv, deps: Pick<ApiDeps, 'store' | 'config' | 'clock'>): Promise<string> {
  const given = env.IVR_OPERATOR_TOKEN?.trim();
  if (given) return given;
  return (await ensureOperator(deps, LOCAL_STACK_OPERATOR)).token;
}
