/**
 * The LLM contact extractor against the OpenAI simulator (real HTTP, OpenAI's wire format): what it sends, how it
 * drops values the transcript does not support, how it fails, and how the activity merges it with the parser.
 */
import { ApplicationFailure } from '@temporalio/common';
import { startOpenAiSimulator, type OpenAiSimulator } from '../../sim/openai';
import { createExtractionActivities } from '../../activities/extraction';
import {
  createLlmContactExtractor,
  ExtractionDisabled,
  ExtractionRejected,
  ExtractionUnavailable,
  type LlmContactExtractor,
} from '../../lib/extraction/llm';

const KEY = 'sk-extraction-test';
let sim: OpenAiSimulator;
let llm: LlmContactExtractor;

beforeAll(async () => {
  sim = await startOpenAiSimulator({ apiKey: KEY });
  llm = createLlmContactExtractor({ apiKey: KEY, baseURL: sim.url, model: 'gpt-4o-mini', timeoutMs: 5_000, maxRetries: 0 });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => sim.reset());

const SEED = "Je m'appelle Lina Andrianina, mon email lina@exemple.com, mon téléphone +261 32 12 34 567.";

test('sends seed 000’s capture_contact schema as strict structured output and keeps supported values', async () => {
  sim.setChatAnswer({ firstname: 'Lina', lastname: 'Andrianina', email: 'lina@exemple.com', phone: '+261 32 12 34 567' });
  const r = await llm.extract(SEED);
  expect(r).toEqual({ firstname: 'Lina', lastname: 'Andrianina', email: 'lina@exemple.com', phone: '+261321234567', dropped: [], model: 'gpt-4o-mini' });
  const sent = sim.chats[0];
  expect(sent?.model).toBe('gpt-4o-mini');
  expect(sent?.responseFormat).toMatchObject({
    type: 'json_schema',
    json_schema: { name: 'capture_contact', strict: true, schema: { required: ['firstname', 'lastname', 'email', 'phone'] } },
  });
  expect(JSON.stringify(sent?.messages)).toContain('Lina Andrianina');
});

test('drops a phone, an e-mail or a name the transcript does not contain', async () => {
  sim.setChatAnswer({ firstname: 'Lina', lastname: 'Rakoto', email: 'lina@gmail.com', phone: '+33612345678' });
  const r = await llm.extract(SEED);
  expect(r).toMatchObject({ firstname: 'Lina', lastname: null, email: null, phone: null });
  expect(r.dropped.sort()).toEqual(['email', 'lastname', 'phone']);
});

test('a phone that is not a valid number is dropped even if the text has it', async () => {
  sim.setChatAnswer({ firstname: null, lastname: null, email: null, phone: '06 12 34' });
  const r = await llm.extract('mon numéro 06 12 34');
  expect(r).toMatchObject({ phone: null, dropped: ['phone'] });
});

test('an answer that is not a capture_contact object is rejected', async () => {
  sim.setChatAnswer('pas du JSON');
  await expect(llm.extract(SEED)).rejects.toBeInstanceOf(ExtractionRejected);
});

test('errors are typed: wrong key → rejected, 5xx → unavailable (retryable), no key → disabled', async () => {
  const wrongKey = createLlmContactExtractor({ apiKey: 'sk-wrong', baseURL: sim.url, model: 'gpt-4o-mini', timeoutMs: 5_000, maxRetries: 0 });
  await expect(wrongKey.extract(SEED)).rejects.toBeInstanceOf(ExtractionRejected);
  sim.failNext({ status: 503, endpoint: 'chat' });
  const err = await llm.extract(SEED).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ExtractionUnavailable);
  expect((err as ExtractionUnavailable).retryable).toBe(true);
  const off = createLlmContactExtractor({ model: 'gpt-4o-mini', timeoutMs: 1_000, maxRetries: 0 });
  expect(off.enabled).toBe(false);
  await expect(off.extract(SEED)).rejects.toBeInstanceOf(ExtractionDisabled);
});

describe('extractContact activity', () => {
  test('a certain parser result costs no model call', async () => {
    const acts = createExtractionActivities({ llm });
    const r = await acts.extractContact({ transcript: SEED });
    expect(r).toMatchObject({ firstname: 'Lina', phone: '+261321234567', source: 'parser' });
    expect(sim.chats).toHaveLength(0);
  });

  test('the model fills what the parser missed, and that value is flagged for read-back', async () => {
    // No cue the parser knows for the name; the model reads it.
    const transcript = 'Alors voilà, pour le dossier ce sera Tahina Rasolofo, joignable au 06 12 34 56 78.';
    sim.setChatAnswer({ firstname: 'Tahina', lastname: 'Rasolofo', email: null, phone: '0612345678' });
    const r = await createExtractionActivities({ llm }).extractContact({ transcript });
    expect(r).toMatchObject({ firstname: 'Tahina', lastname: 'Rasolofo', phone: '+33612345678', email: null, source: 'parser+llm' });
    expect(r.needs_check).toEqual(['firstname', 'lastname']);
  });

  test('a model failure keeps the parser result', async () => {
    sim.failNext({ status: 500, endpoint: 'chat' });
    const r = await createExtractionActivities({ llm }).extractContact({ transcript: 'joignable au 06 12 34 56 78' });
    expect(r).toMatchObject({ phone: '+33612345678', firstname: null, source: 'parser' });
  });

  test('bad input is a non-retryable failure naming the field', async () => {
    const acts = createExtractionActivities({ llm });
    const err = await acts.extractContact({ transcript: 'x', defaultRegion: 'France' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as Error).message).toContain('defaultRegion');
  });
});
