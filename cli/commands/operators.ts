/**
 * `ivr operators add <name> | list | revoke <name>`: the credentials of the people (and programs) allowed on the
 * API's operator routes (/crm/*). Works on the API's own store, from the same environment the API reads
 * (DATABASE_URL, else the embedded store in API_STORE_DIR; SESSION_KEY keys the token hashes, so it must be the
 * API's). `add` prints the new token as the last line of its output, once: only its keyed hash is stored.
 *
 * The embedded store admits one process: when an API holds it, the request goes to that API through its
 * administration socket in the store's folder (api/admin-socket.ts). Output and exit codes are the same either way.
 */
import { parseArgs } from 'node:util';
import { askAdminSocket, AdminSocketUnavailable } from '../../api/admin-socket';
import { loadApiConfig } from '../../api/config';
import { runOperatorAdmin, withOperators, type AdminRequest, type AdminResult } from '../../api/operator-admin';
import { operatorNameSchema } from '../../api/services/operators';
import { SqlError } from '../../api/store/driver';
import { usageOf, type CliCommand } from '../command';

const USAGE = `usage: ivr ${usageOf('operators')}`;
/** Who the audit log names when this command opens the store itself. */
const DIRECT_ASKER = 'cli on the store';

function fail(message: string, code = 2): number {
  process.stderr.write(`ivr operators: ${message}\n`);
  return code;
}

/** The store when it is free (or PostgreSQL); else the API that holds it, through its administration socket. */
async function administer(env: NodeJS.ProcessEnv, req: AdminRequest, warn: (m: string) => void): Promise<AdminResult> {
  const config = loadApiConfig(env, warn);
  try {
    // Warnings about the configuration were given above, once.
    return await withOperators(env, (_ops, store) => runOperatorAdmin({ store, key: config.SESSION_KEY }, req, DIRECT_ASKER), () => {});
  } catch (err) {
    if (!(err instanceof SqlError && err.code === 'store_locked') || config.DATABASE_URL) throw err;
    try {
      return await askAdminSocket(config.API_STORE_DIR, req);
    } catch (sockErr) {
      if (!(sockErr instanceof AdminSocketUnavailable)) throw sockErr;
      throw new Error(`${err.message}\nThe API's administration socket did not answer either: ${sockErr.message}.`);
    }
  }
}

function print(result: AdminResult, json: boolean): number {
  if (!result.ok) return fail(result.message, 1);
  if (result.op === 'add') {
    process.stdout.write(`Operator '${result.name}' created. Its token is shown once; store it now (send it as "Authorization: Bearer <token>"):\n`);
    process.stdout.write(`${result.token}\n`);
    return 0;
  }
  if (result.op === 'revoke') {
    if (!result.revoked) return fail(`no active operator named '${result.name}' (see: ivr operators list)`, 1);
    process.stdout.write(`Operator '${result.name}' revoked: its token answers 401 from now on.\n`);
    return 0;
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(result.operators)}\n`);
    return 0;
  }
  if (result.operators.length === 0) process.stdout.write('No operators yet: ivr operators add <name>\n');
  for (const r of result.operators) {
    const status = r.revoked_at ? `revoked ${r.revoked_at}` : 'active';
    process.stdout.write(`${r.name.padEnd(24)} ${status.padEnd(32)} token issued ${r.token_issued_at}  last used ${r.last_used_at ?? 'never'}\n`);
  }
  return 0;
}

export const command: CliCommand = {
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } }, strict: true });
    } catch (err) {
      return fail(`${(err as Error).message}\n${USAGE}`);
    }
    const [action, name, ...extra] = parsed.positionals;
    if (!action || extra.length > 0 || ((action === 'add' || action === 'revoke') && !name) || (action === 'list' && name)) return fail(USAGE);
    let req: AdminRequest;
    if (action === 'list') req = { v: 1, op: 'list' };
    else if (action === 'add' || action === 'revoke') {
      const valid = operatorNameSchema.safeParse(name);
      if (!valid.success) return fail(`'${name}': ${valid.error.issues[0]?.message ?? 'invalid name'}`);
      req = { v: 1, op: action, name: valid.data };
    } else return fail(`unknown action '${action}'\n${USAGE}`);
    const warn = (m: string) => process.stderr.write(`ivr operators: ${m}\n`);
    try {
      return print(await administer(process.env, req, warn), parsed.values.json);
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err), 1);
    }
  },
};
