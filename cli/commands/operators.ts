/**
 * `ivr operators add <name> | list | revoke <name>`: the credentials of the people (and programs) allowed on the
 * API's operator routes (/crm/*). Works on the API's own store, from the same environment the API reads
 * (DATABASE_URL, else the embedded store in API_STORE_DIR; SESSION_KEY keys the token hashes, so it must be the
 * API's). `add` prints the new token as the last line of its output, once: only its keyed hash is stored.
 */
import { parseArgs } from 'node:util';
import { withOperators } from '../../api/operator-admin';
import { operatorNameSchema, OperatorExists } from '../../api/services/operators';
import { usageOf, type CliCommand } from '../command';

const USAGE = `usage: ivr ${usageOf('operators')}`;

function fail(message: string, code = 2): number {
  process.stderr.write(`ivr operators: ${message}\n`);
  return code;
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
    if (!['add', 'list', 'revoke'].includes(action)) return fail(`unknown action '${action}'\n${USAGE}`);
    if (name !== undefined) {
      const valid = operatorNameSchema.safeParse(name);
      if (!valid.success) return fail(`'${name}': ${valid.error.issues[0]?.message ?? 'invalid name'}`);
    }
    const warn = (m: string) => process.stderr.write(`ivr operators: ${m}\n`);
    try {
      return await withOperators(process.env, async (ops) => {
        if (action === 'add') {
          const created = await ops.add(name!);
          process.stdout.write(`Operator '${created.name}' created. Its token is shown once; store it now (send it as "Authorization: Bearer <token>"):\n`);
          process.stdout.write(`${created.token}\n`);
          return 0;
        }
        if (action === 'revoke') {
          if (!(await ops.revoke(name!))) return fail(`no active operator named '${name}' (see: ivr operators list)`, 1);
          process.stdout.write(`Operator '${name}' revoked: its token answers 401 from now on.\n`);
          return 0;
        }
        const rows = await ops.list();
        if (parsed.values.json) {
          process.stdout.write(`${JSON.stringify(rows.map((r) => ({ name: r.name, status: r.revokedAt ? 'revoked' : 'active', created_at: r.createdAt.toISOString(), token_issued_at: r.tokenIssuedAt.toISOString(), revoked_at: r.revokedAt?.toISOString() ?? null, last_used_at: r.lastUsedAt?.toISOString() ?? null })))}\n`);
          return 0;
        }
        if (rows.length === 0) process.stdout.write('No operators yet: ivr operators add <name>\n');
        for (const r of rows) {
          const status = r.revokedAt ? `revoked ${r.revokedAt.toISOString()}` : 'active';
          process.stdout.write(`${r.name.padEnd(24)} ${status.padEnd(32)} token issued ${r.tokenIssuedAt.toISOString()}  last used ${r.lastUsedAt?.toISOString() ?? 'never'}\n`);
        }
        return 0;
      }, warn);
    } catch (err) {
      if (err instanceof OperatorExists) return fail(err.message, 1);
      return fail(err instanceof Error ? err.message : String(err), 1);
    }
  },
};
