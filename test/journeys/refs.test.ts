/**
 * Scripts name Odoo records by their fields (`refs:` and `{ ref: … }`), resolved on the Odoo in use, so the
 * shipped journeys run on the simulator and on a real Odoo whose ids differ.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RefResolver } from '../../cli/simulate/runner';
import { loadScript, ScriptError } from '../../cli/simulate/script';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A tiny Odoo: search_read with '=' terms only. */
function fakeOdoo(rows: Record<string, Array<Record<string, unknown>>>) {
  return {
    async odooSearchRead(model: string, domain: unknown[]) {
      return (rows[model] ?? []).filter((r) => domain.every((t) => {
        const [k, , v] = t as [string, string, unknown];
        return r[k] === v;
      })).slice(0, 2);
    },
  };
}

const HEAD = 'machine: m.yaml\nchannel: web\n';

test('the shipped scripts name no Odoo id', () => {
  const root = path.join(__dirname);
  const files = ['scripts', 'crm', 'voice', 'web'].flatMap((f) => fs.readdirSync(path.join(root, f)).filter((n) => n.endsWith('.yaml')).map((n) => path.join(root, f, n)));
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    // an id compared in a domain: ["partner_id", "=", 8]
    expect({ file: f, ids: text.match(/\[\s*"[a-z_]*id"\s*,\s*"(=|in)"\s*,\s*\[?\d+/g) }).toEqual({ file: f, ids: null });
    expect(() => loadScript(f)).not.toThrow();
  }
});

test('named and inline refs resolve to the ids this Odoo assigned, nested refs included', async () => {
  const file = write('ok.yaml', `${HEAD}refs:
  claire: { model: res.partner, email: "claire@exemple.fr" }
  rdv: { model: calendar.event, name: "Visio", user_id: 2 }
steps:
  - expect: { odoo: { model: calendar.attendee, domain: [["event_id", "=", { ref: rdv }], ["partner_id", "=", { ref: claire }]], count: 1 } }
  - expect: { odoo: { model: calendar.attendee, domain: [["partner_id", "=", { ref: { model: res.partner, email: "paul@exemple.fr" } }]], fields: { event_id: { ref: rdv } } } }
`);
  const script = loadScript(file);
  expect(script.refs.map((r) => [r.name, r.line])).toEqual([['claire', 4], ['rdv', 5]]);
  const resolver = new RefResolver(fakeOdoo({
    'res.partner': [{ id: 41, email: 'claire@exemple.fr' }, { id: 42, email: 'paul@exemple.fr' }],
    'calendar.event': [{ id: 300, name: 'Visio', user_id: 2 }],
  }));
  await resolver.resolveNamed(script.refs);
  const [first, second] = script.steps.map((s) => ('expect' in s.step ? s.step.expect.odoo! : null));
  expect(await resolver.resolve(first!.domain)).toEqual([['event_id', '=', 300], ['partner_id', '=', 41]]);
  expect(await resolver.resolve(second!.domain)).toEqual([['partner_id', '=', 42]]);
  expect(await resolver.resolve(second!.fields)).toEqual({ event_id: 300 });
});

test('a named ref that is no record, or several, fails at its line before the session starts', async () => {
  const file = write('missing.yaml', `${HEAD}refs:
  claire: { model: res.partner, email: "claire@exemple.fr" }
steps:
  - expect: { state: x }
`);
  const script = loadScript(file);
  await expect(new RefResolver(fakeOdoo({})).resolveNamed(script.refs)).rejects.toMatchObject({ line: 4, seen: 'no record on the Odoo in use' });
  const two = fakeOdoo({ 'res.partner': [{ id: 1, email: 'claire@exemple.fr' }, { id: 2, email: 'claire@exemple.fr' }] });
  await expect(new RefResolver(two).resolveNamed(script.refs)).rejects.toMatchObject({ line: 4, seen: expect.stringContaining('several records') });
});

test('an unknown ref name, a ref without fields, a ref with extra keys: exit-2 errors with the line', () => {
  const unknown = write('unknown.yaml', `${HEAD}steps:
  - expect: { state: x }
  - expect: { odoo: { model: crm.lead, domain: [["partner_id", "=", { ref: lina }]] } }
`);
  expect(() => loadScript(unknown)).toThrow(ScriptError);
  expect(() => loadScript(unknown)).toThrow(/unknown\.yaml:5: .*unknown ref 'lina'/);
  const bare = write('bare.yaml', `${HEAD}refs:\n  lina: { model: res.partner }\nsteps:\n  - expect: { state: x }\n`);
  expect(() => loadScript(bare)).toThrow(/bare\.yaml:4: .*at least one field besides model/);
  const extra = write('extra.yaml', `${HEAD}refs:\n  lina: { model: res.partner, email: "l@e.fr" }\nsteps:\n  - expect: { odoo: { model: crm.lead, domain: [["partner_id", "=", { ref: lina, x: 1 }]] } }\n`);
  expect(() => loadScript(extra)).toThrow(/no other key/);
});
