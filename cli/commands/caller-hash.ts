/**
 * `ivr caller-hash <number>… [--exact] [--region FR] [--json]`: the IvrCallerHash search attribute of a caller, so an
 * operator can find that caller's sessions in the Temporal UI without the number ever being stored in clear.
 *
 * Sessions hash the caller id exactly as it reached them (`piiHash` keyed by PII_HASH_KEY, which must be the one the
 * workers run with). Trunks deliver it in E.164 ("+33612345678"), without the plus ("33612345678") or in national
 * form ("0612345678"), so by default the number is parsed and the hash of each of those forms is printed, with a
 * visibility query matching any of them. `--exact` hashes the argument as typed, nothing else.
 */
import { parseArgs } from 'node:util';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { piiHash } from '../../lib/log';
import { parsePhone } from '../../lib/french/phone';
import type { CliCommand } from '../command';

const argsSchema = z.object({
  exact: z.boolean(),
  json: z.boolean(),
  region: z.string().regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO 3166 region such as FR or MG'),
});

export interface CallerHashes {
  /** What was typed on the command line. */
  input: string;
  e164?: string;
  /** Caller-id form → hash; the E.164 form first. */
  forms: { form: string; hash: string }[];
  /** Visibility query for the Temporal UI / `temporal workflow list --query`. */
  query: string;
}

/** The caller-id forms a trunk may deliver for one number, E.164 first, without duplicates. */
export function callerIdForms(e164: string): string[] {
  const forms = [e164, e164.slice(1)];
  const parsed = parsePhoneNumberFromString(e164);
  // The national form with its trunk prefix ("0612345678"), as French trunks often send it.
  const national = parsed?.format('NATIONAL').replace(/\D/g, '');
  if (national) forms.push(national);
  return [...new Set(forms)];
}

export function callerHashes(input: string, opts: { exact: boolean; region: string }): CallerHashes | { input: string; error: string } {
  if (opts.exact) {
    const hash = piiHash(input);
    return { input, forms: [{ form: input, hash }], query: `IvrCallerHash = "${hash}"` };
  }
  const parsed = parsePhone(input, { defaultRegion: opts.region });
  if (!parsed.ok) {
    return { input, error: `not a valid phone number (${parsed.reason}); give it as +33612345678 or 0612345678, or use --exact` };
  }
  const forms = callerIdForms(parsed.e164).map((form) => ({ form, hash: piiHash(form) }));
  const query = `IvrCallerHash IN (${forms.map((f) => `"${f.hash}"`).join(', ')})`;
  return { input, e164: parsed.e164, forms, query };
}

export const command: CliCommand = {
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { exact: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, region: { type: 'string', default: 'FR' } },
        strict: true,
      });
    } catch (err) {
      process.stderr.write(`ivr caller-hash: ${(err as Error).message}\n`);
      return 2;
    }
    const opts = argsSchema.safeParse(parsed.values);
    if (!opts.success) {
      for (const i of opts.error.issues) process.stderr.write(`ivr caller-hash: --${i.path.join('.')}: ${i.message}\n`);
      return 2;
    }
    if (parsed.positionals.length === 0) {
      process.stderr.write('ivr caller-hash: give a phone number, e.g. npx ivr caller-hash +33612345678\n');
      return 2;
    }
    if (!process.env.PII_HASH_KEY) {
      process.stderr.write('ivr caller-hash: PII_HASH_KEY is unset: hashing with the development key (right for the local stack only)\n');
    }
    let failed = 0;
    for (const [index, input] of parsed.positionals.entries()) {
      const result = callerHashes(input, { exact: opts.data.exact, region: opts.data.region });
      if ('error' in result) {
        failed += 1;
        process.stderr.write(`ivr caller-hash: argument ${index + 1}: ${result.error}\n`);
        continue;
      }
      if (opts.data.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        continue;
      }
      // The number itself is not echoed: the output may be pasted into tickets.
      for (const f of result.forms) process.stdout.write(`${f.hash}  ${describeForm(f.form, result.e164)}\n`);
      process.stdout.write(`query: ${result.query}\n`);
    }
    return failed ? 1 : 0;
  },
};

function describeForm(form: string, e164: string | undefined): string {
  if (e164 === undefined) return 'as typed';
  if (form === e164) return 'E.164 caller id (+…)';
  if (form === e164.slice(1)) return 'caller id without the plus';
  return 'national caller id (0…)';
}
