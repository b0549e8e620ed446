import { formatPath, parsePath, parseTemplate, TemplateSyntaxError, templatePaths } from '../../lib/machine/template';

describe('template parsing', () => {
  it('parses text, paths with array indexes and nested ifs', () => {
    const t = parseTemplate('Premier : {{ctx.slots[0].voice_label}}.{{#if resp.count == 0}}aucun{{else}}{{#if ctx.x}}x{{/if}}{{/if}}');
    expect(t.nodes).toEqual([
      { kind: 'text', text: 'Premier : ' },
      { kind: 'expr', path: ['ctx', 'slots', 0, 'voice_label'] },
      { kind: 'text', text: '.' },
      {
        kind: 'if',
        left: { kind: 'path', path: ['resp', 'count'] },
        op: '==',
        right: { kind: 'literal', value: 0 },
        then: [{ kind: 'text', text: 'aucun' }],
        else: [{ kind: 'if', left: { kind: 'path', path: ['ctx', 'x'] }, then: [{ kind: 'text', text: 'x' }], else: [] }],
      },
    ]);
    expect(templatePaths(t).map(formatPath)).toEqual(['ctx.slots[0].voice_label', 'resp.count', 'ctx.x']);
  });

  it('reads != and quoted string literals, and keeps the source', () => {
    const t = parseTemplate('{{#if ctx.correct_field != "name"}}a{{/if}}');
    expect(t.source).toBe('{{#if ctx.correct_field != "name"}}a{{/if}}');
    expect(t.nodes[0]).toMatchObject({ op: '!=', right: { kind: 'literal', value: 'name' } });
  });

  it.each([
    ['{{ctx.a', "never closed with '}}'", 0],
    ['ab{{#if ctx.a}}x', 'never closed with {{/if}}', 2],
    ['{{else}}', 'outside an {{#if}}', 0],
    ['x{{/if}}', 'no open {{#if}}', 1],
    ['{{foo.bar}}', 'must start with ctx., resp. or globals.', 2],
    ['{{#each ctx.a}}{{/each}}', 'unknown block', 0],
    ['{{ctx}}', 'names only its root', 2],
    ['{{ }}', 'empty', 0],
  ])('rejects %s', (src, message, offset) => {
    let err: unknown;
    try {
      parseTemplate(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateSyntaxError);
    expect((err as TemplateSyntaxError).message).toContain(message);
    expect((err as TemplateSyntaxError).offset).toBe(offset);
  });

  it('parses paths', () => {
    expect(parsePath('globals.handoff.queue_id')).toEqual(['globals', 'handoff', 'queue_id']);
  });
});
