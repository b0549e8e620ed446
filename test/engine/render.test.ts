import { evaluate, render, renderPrompt } from '../../workflows/engine/render';
import { t, v } from './helpers';

const scope = (resp?: unknown) => ({
  ctx: {
    slots: [
      { id: 's1', voice_label: 'lundi 4 mars à 9h' },
      { id: 's2', voice_label: 'mardi 5 mars à 14h' },
      { id: 's3', voice_label: 'jeudi 7 mars à 10h30' },
    ],
    name: 'Lina',
    count_text: '0',
    flag: false,
  },
  globals: { handoff: { queue_id: 'care_queue_1' } },
  ...(resp === undefined ? {} : { resp: resp as never }),
});

const seedList = t(
  `{{#if resp.count == 0}} Vous n'avez aucun rendez-vous à venir. {{else}} Vous avez {{resp.count}} rendez-vous à venir. {{resp.summary_voice}} {{/if}}\n`,
);

describe('render', () => {
  test("the seed's {{#if resp.count == 0}} picks the branch from the response", () => {
    expect(renderPrompt(seedList, scope({ count: 0, summary_voice: 'x' }))).toBe("Vous n'avez aucun rendez-vous à venir.");
    expect(renderPrompt(seedList, scope({ count: 2, summary_voice: 'Lundi à 9h et mardi à 14h.' }))).toBe(
      'Vous avez 2 rendez-vous à venir. Lundi à 9h et mardi à 14h.',
    );
  });

  test('array indexes reach nested fields (ctx.slots[2].voice_label)', () => {
    expect(render(t('Troisième : {{ctx.slots[2].voice_label}}.'), scope())).toBe('Troisième : jeudi 7 mars à 10h30.');
    expect(render(t('{{globals.handoff.queue_id}}'), scope())).toBe('care_queue_1');
  });

  test('missing values render as the empty string, at any depth and past the end of an array', () => {
    expect(render(t('[{{ctx.nope}}|{{ctx.slots[9].id}}|{{resp.a.b}}|{{ctx.name.length}}]'), scope())).toBe('[|||]');
  });

  test('a path never reaches inherited properties', () => {
    expect(render(t('[{{ctx.constructor}}|{{ctx.slots.length}}]'), scope())).toBe('[|]');
  });

  test('== compares text forms (0 equals "0", missing equals ""), != is its negation, bare tests truthiness', () => {
    expect(render(t('{{#if ctx.count_text == 0}}zero{{else}}other{{/if}}'), scope())).toBe('zero');
    expect(render(t('{{#if ctx.missing == ""}}empty{{/if}}'), scope())).toBe('empty');
    expect(render(t('{{#if ctx.name != "Lina"}}no{{else}}yes{{/if}}'), scope())).toBe('yes');
    expect(render(t('{{#if ctx.flag}}on{{else}}off{{/if}}|{{#if ctx.slots}}some{{/if}}'), scope())).toBe('off|some');
    expect(render(t('{{#if resp.list}}some{{else}}none{{/if}}'), scope({ list: [] }))).toBe('none');
  });

  test('nested #if blocks', () => {
    const tpl = t('{{#if resp.a}}A{{#if resp.b == 2}}B{{else}}b{{/if}}{{else}}-{{/if}}');
    expect(render(tpl, scope({ a: 1, b: 2 }))).toBe('AB');
    expect(render(tpl, scope({ a: 1, b: 3 }))).toBe('Ab');
    expect(render(tpl, scope({ a: 0 }))).toBe('-');
  });

  test('renderPrompt collapses the blanks left by folded YAML and blocks', () => {
    expect(renderPrompt(t('  Bonjour\n  et   bienvenue.\n'), scope())).toBe('Bonjour et bienvenue.');
  });
});

describe('evaluate', () => {
  test('a template that is exactly one expression yields the raw value ({{resp.appointments}} stays an array)', () => {
    const appointments = [{ id: 31 }, { id: 32 }];
    expect(evaluate(v('{{resp.appointments}}'), scope({ appointments }))).toEqual(appointments);
    expect(evaluate(v('{{resp.partner_id}}'), scope({ partner_id: 7 }))).toBe(7);
  });

  test('a missing single expression yields null; mixed templates yield text; literals pass through', () => {
    expect(evaluate(v('{{resp.nothing}}'), scope({}))).toBeNull();
    expect(evaluate(v('Bearer {{ctx.name}}'), scope())).toBe('Bearer Lina');
    expect(evaluate(v(true), scope())).toBe(true);
    expect(evaluate(v({ a: [1] }), scope())).toEqual({ a: [1] });
  });

  test('blank text around the single expression does not turn it into a string', () => {
    expect(evaluate(v('{{ctx.slots}}\n'), scope())).toHaveLength(3);
  });
});
