import { loadCorpus, parserExtractor, scoreExtractor, TARGET_EXACT } from '../../bench/extraction';
import { extractContact, supportsEmail, supportsPhone } from '../../lib/french/contact';

describe('contact-extraction corpus (bench/extraction-corpus.json)', () => {
  const corpus = loadCorpus();

  it('has at least 40 dictations', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(40);
  });

  it(`parser: ≥ ${TARGET_EXACT * 100}% exact fields and no invented phone or e-mail`, async () => {
    const score = await scoreExtractor(corpus, parserExtractor);
    if (score.overall.rate < TARGET_EXACT || score.invented > 0) {
      // Name the misses so a regression is easy to find.
      console.error(score.mismatches);
    }
    expect(score.invented).toBe(0);
    expect(score.overall.rate).toBeGreaterThanOrEqual(TARGET_EXACT);
  });

  it('every phone and e-mail the parser returns is supported by its transcript', () => {
    for (const c of corpus.cases) {
      const region = c.defaultRegion ?? corpus.defaultRegion;
      const r = extractContact(c.transcript, { defaultRegion: region });
      if (r.phone !== null) expect({ id: c.id, ok: supportsPhone(c.transcript, r.phone, { defaultRegion: region }) }).toEqual({ id: c.id, ok: true });
      if (r.email !== null) expect({ id: c.id, ok: supportsEmail(c.transcript, r.email) }).toEqual({ id: c.id, ok: true });
    }
  });

  it('the scorer counts an unsupported value as invented', async () => {
    const one = { ...corpus, cases: corpus.cases.slice(0, 1) };
    const score = await scoreExtractor(one, () => ({ firstname: null, lastname: null, email: 'x@y.fr', phone: '+33699999999' }));
    expect(score.invented).toBe(2);
    expect(score.overall.exact).toBeLessThan(4);
  });
});
