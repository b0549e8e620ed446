/**
 * The operator credential the local stack hands to its parts that call the API's operator routes (`/crm/*`,
 * `Authorization: Bearer <operator token>`). The supervised stack calls the provider once, before the API part
 * starts (the API's embedded store is single-process: an operator must be created while the API is down), and
 * passes the token to the API and worker parts as IVR_OPERATOR_TOKEN.
 *
 * Wire the API's operator creation here (e.g. `ensureOperator(store, 'local-stack')` returning its token) once it
 * exists; until then an operator token given in IVR_OPERATOR_TOKEN is passed through.
 */
export interface OperatorTokenContext {
  /** The environment the API part will run with (API_STORE_DIR / DATABASE_URL name its store). */
  env: NodeJS.ProcessEnv;
}

export type OperatorTokenProvider = (ctx: OperatorTokenContext) => Promise<string | undefined>;

export const localOperatorToken: OperatorTokenProvider = async ({ env }) => env.IVR_OPERATOR_TOKEN?.trim() || undefined;
