import { parseSpokenConsents, type SpokenConsentChannel } from '../../lib/french/consent';
import { detectSpokenConsents } from '../../lib/crm/consents';

type Expect = Partial<Record<SpokenConsentChannel, boolean>>;

/** Verdicts per channel, channels without a verdict left out. */
function verdicts(text: string, asked?: SpokenConsentChannel[]): Expect {
  const out: Expect = {};
  for (const c of parseSpokenConsents(text, asked ? { asked } : {})) out[c.channel] = c.granted;
  return out;
}

const BOTH: SpokenConsentChannel[] = ['sms', 'whatsapp'];

// [phrasing, channels asked about (undefined: a dictation), expected verdicts]
const CORPUS: Array<[string, SpokenConsentChannel[] | undefined, Expect]> = [
  // The cases
  ["J'accepte d'être contactée par WhatsApp mais pas de SMS", undefined, { whatsapp: true, sms: false }],
  ['oui pour WhatsApp, pas de SMS', undefined, { whatsapp: true, sms: false }],
  ["tout sauf l'email", undefined, { whatsapp: true, sms: true, email: false, call: true }],
  ["tout sauf l'email", BOTH, { whatsapp: true, sms: true, email: false }],
  ['non merci', BOTH, { whatsapp: false, sms: false }],
  ['non merci', undefined, {}],
  ['Non, merci.', ['email'], { email: false }],
  ['ni SMS ni WhatsApp', undefined, { whatsapp: false, sms: false }],
  ['plutôt par SMS que WhatsApp', undefined, { sms: true }],
  ['plutôt par SMS que par WhatsApp', BOTH, { sms: true }],
  ['je ne veux pas être contacté par SMS', undefined, { sms: false }],
  ['pas de problème pour les SMS', undefined, { sms: true }],
  ['SMS oui, WhatsApp non', undefined, { whatsapp: false, sms: true }],
  ['SMS oui WhatsApp non', undefined, { whatsapp: false, sms: true }],
  // Grants
  ["J'accepte d'être contacté par WhatsApp", undefined, { whatsapp: true }],
  ["j'accepte les SMS et WhatsApp", undefined, { whatsapp: true, sms: true }],
  ['Oui, par SMS.', undefined, { sms: true }],
  ['Oui', BOTH, { whatsapp: true, sms: true }],
  ["d'accord pour les textos", undefined, { sms: true }],
  ['vous pouvez m’écrire par mail', undefined, { email: true }],
  ['vous pouvez m’appeler', undefined, { call: true }],
  ['Par WhatsApp, ça me va.', undefined, { whatsapp: true }],
  ['ça ne me dérange pas de recevoir des SMS', undefined, { sms: true }],
  ["je n'ai rien contre WhatsApp", undefined, { whatsapp: true }],
  ['je suis pas contre les mails', undefined, { email: true }],
  ['les deux', BOTH, { whatsapp: true, sms: true }],
  ['les deux me vont', undefined, {}],
  ["J'accepte tout", undefined, { whatsapp: true, sms: true, email: true, call: true }],
  ['WhatsApp aussi', undefined, {}],
  ["J'accepte les SMS, WhatsApp aussi", undefined, { whatsapp: true, sms: true }],
  ['SMS, WhatsApp et email, j’accepte', undefined, { whatsapp: true, sms: true, email: true }],
  ['je préfère les SMS à WhatsApp', undefined, { sms: true }],
  // Refusals
  ['pas de SMS s’il vous plaît', undefined, { sms: false }],
  ['Je refuse les appels et les mails', undefined, { email: false, call: false }],
  ['ne me contactez pas par téléphone', undefined, { call: false }],
  ["je n'accepte pas WhatsApp", undefined, { whatsapp: false }],
  ['j’accepte pas les SMS', undefined, { sms: false }],
  ['Pour les SMS, c’est non.', undefined, { sms: false }],
  ['WhatsApp, jamais.', undefined, { whatsapp: false }],
  ['ni l’un ni l’autre', BOTH, { whatsapp: false, sms: false }],
  ['aucun', BOTH, { whatsapp: false, sms: false }],
  ['Pas de SMS, WhatsApp non plus', undefined, { whatsapp: false, sms: false }],
  ['surtout pas de mails', undefined, { email: false }],
  // Mixed
  ['oui sauf par SMS', BOTH, { whatsapp: true, sms: false }],
  ['non sauf par SMS', BOTH, { whatsapp: false, sms: true }],
  ['pas de SMS mais WhatsApp oui', undefined, { whatsapp: true, sms: false }],
  ['pas de SMS mais par WhatsApp', undefined, { whatsapp: true, sms: false }],
  ['WhatsApp ok, par contre pas de mails', undefined, { whatsapp: true, email: false }],
  ["j'accepte WhatsApp et pas les SMS", undefined, { whatsapp: true, sms: false }],
  ['je refuse les SMS et j’accepte WhatsApp', undefined, { whatsapp: true, sms: false }],
  ['par SMS je veux bien, par WhatsApp je refuse', undefined, { whatsapp: false, sms: true }],
  ['oui pour WhatsApp non pour les SMS', undefined, { whatsapp: true, sms: false }],
  ["J'accepte les SMS. Enfin non, pas les SMS, seulement WhatsApp.", undefined, { whatsapp: true, sms: false }],
  ["J'accepte les SMS, non pardon, WhatsApp", undefined, { whatsapp: true }],
  ['Oui pour les SMS, les mails et WhatsApp, pas d’appels', undefined, { whatsapp: true, sms: true, email: true, call: false }],
  ["Je ne souhaite pas recevoir de SMS, mais WhatsApp c'est d'accord.", undefined, { whatsapp: true, sms: false }],
  ["je ne suis pas d'accord pour WhatsApp", undefined, { whatsapp: false }],
  ["vous pouvez m'envoyer des SMS mais ne m'appelez pas", undefined, { sms: true, call: false }],
  ['Contactez-moi uniquement par SMS, jamais par téléphone', undefined, { sms: true, call: false }],
  ['je dis oui aux SMS et non à WhatsApp', undefined, { whatsapp: false, sms: true }],
  ["j'accepte le WhatsApp, pas les mails ni les appels", undefined, { whatsapp: true, email: false, call: false }],
  ['SMS non merci, WhatsApp avec plaisir', undefined, { whatsapp: true, sms: false }],
  ['vous pouvez me contacter par téléphone ou par mail', undefined, { email: true, call: true }],
  ['Oui pour les deux', BOTH, { whatsapp: true, sms: true }],
  ['ne me contactez pas sur WhatsApp', undefined, { whatsapp: false }],
  ['je ne veux pas, non, pas de SMS', undefined, { sms: false }],
  ["je n'ai pas de problème avec les SMS", undefined, { sms: true }],
  ['je ne dis pas non aux SMS', undefined, { sms: true }],
  ['je ne veux pas être appelé', undefined, { call: false }],
  ['je ne veux recevoir que des SMS', undefined, { sms: true }],
  ['Pas de textos mais des mails oui', undefined, { sms: false, email: true }],
  ['tout me va', BOTH, { whatsapp: true, sms: true }],
  // A general consent then "mais pas X" is an exception, like "sauf"; a bare "oui" in a dictation is not general.
  ['Je veux bien être contacté, mais pas par téléphone', undefined, { whatsapp: true, sms: true, email: true, call: false }],
  ['Oui, mais pas par téléphone', BOTH, { whatsapp: true, sms: true, call: false }],
  ['Oui, mais pas par téléphone', undefined, { call: false }],
  ['Non, mais par SMS oui', undefined, { sms: true }],
  // A refusal said before a bare channel after a pause carries on: ambiguity never becomes a grant.
  ['pas par SMS, par WhatsApp', undefined, { whatsapp: false, sms: false }],
  [
    "Je m'appelle Lina Andrianina, mon téléphone +261 32 12 34 567, j'accepte d'être contactée par WhatsApp.",
    undefined,
    { whatsapp: true },
  ],
  ["Mon WhatsApp c'est le 06 12 34 56 78, j'accepte les SMS", undefined, { sms: true }],
  // A second batch, written before the parser was run on it
  ["Oui, vous pouvez m'envoyer des SMS, mais pas de messages WhatsApp.", undefined, { sms: true, whatsapp: false }],
  ['Par mail uniquement.', undefined, { email: true }],
  ['Je ne souhaite être contacté que par e-mail.', undefined, { email: true }],
  ['Pas de démarchage par téléphone, merci.', undefined, { call: false }],
  ['SMS : oui. WhatsApp : non.', undefined, { sms: true, whatsapp: false }],
  ['Je refuse tout.', undefined, { whatsapp: false, sms: false, email: false, call: false }],
  ['Non, aucun des deux.', BOTH, { sms: false, whatsapp: false }],
  ["WhatsApp, c'est bon pour moi.", undefined, { whatsapp: true }],
  ['Les SMS ça va, WhatsApp je préfère pas.', undefined, { sms: true, whatsapp: false }],
  ["Je suis d'accord pour les SMS et les appels, mais pas pour WhatsApp.", undefined, { sms: true, call: true, whatsapp: false }],
  ['Envoyez-moi plutôt un mail.', undefined, { email: true }],
  ["Je n'aime pas WhatsApp, mais les SMS c'est ok.", undefined, { whatsapp: false, sms: true }],
  ['Ok pour WhatsApp et SMS.', undefined, { whatsapp: true, sms: true }],
  ['Oui oui, WhatsApp sans problème.', undefined, { whatsapp: true }],
  ["Pas WhatsApp, je ne l'ai pas. Par SMS c'est parfait.", undefined, { whatsapp: false, sms: true }],
  ["J'accepte d'être recontactée par téléphone.", undefined, { call: true }],
  ['Vous pouvez me joindre par WhatsApp ou par SMS, comme vous voulez.', undefined, { whatsapp: true, sms: true }],
  ['Je ne veux aucun SMS.', undefined, { sms: false }],
  ['Surtout pas par WhatsApp !', undefined, { whatsapp: false }],
  ["D'accord.", ['whatsapp'], { whatsapp: true }],
  ["Je préfère qu'on ne m'appelle pas.", undefined, { call: false }],
  ['Oui, sauf WhatsApp.', BOTH, { sms: true, whatsapp: false }],
  ["J'accepte les mails mais je refuse les appels.", undefined, { email: true, call: false }],
  ["Je m'appelle Paul Girard, j'accepte les SMS", undefined, { sms: true }],
  // No verdict: a channel named without a cue, or undecided
  ['mon numéro WhatsApp est le même', undefined, {}],
  ["Je m'appelle Lina, mon email c'est lina@exemple.com et j'accepte les SMS", undefined, { sms: true }],
  ['Je vous envoie un SMS demain', undefined, {}],
  ['je ne sais pas pour WhatsApp', undefined, {}],
  ['je ne suis pas sûr pour WhatsApp', undefined, {}],
  ['peut-être par SMS', undefined, {}],
  ["Je n'ai pas WhatsApp", undefined, {}],
  ["par SMS s'il vous plaît", undefined, {}],
  ["Je m'appelle Jean Martin, non pardon, Jean Marton.", BOTH, {}],
  ['', BOTH, {}],
];

describe('parseSpokenConsents: corpus', () => {
  it('has at least 40 phrasings', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
  });
  it.each(CORPUS)('%j (asked %j) → %j', (text, asked, expected) => {
    expect(verdicts(text, asked)).toEqual(expected);
  });
});

describe('parseSpokenConsents: evidence', () => {
  it('gives the exact clause that supports each verdict', () => {
    const text = "J'accepte d'être contactée par WhatsApp mais pas de SMS.";
    const r = parseSpokenConsents(text);
    expect(r).toEqual([
      { channel: 'whatsapp', granted: true, clause: "J'accepte d'être contactée par WhatsApp", start: 0, end: 39 },
      { channel: 'sms', granted: false, clause: 'pas de SMS', start: 45, end: 55 },
    ]);
    for (const c of r) expect(text.slice(c.start, c.end)).toBe(c.clause);
  });
  it('the clause of an exception covers the rule and the exception', () => {
    const r = parseSpokenConsents("Tout sauf l'email", { asked: ['email', 'sms'] });
    expect(r.map((c) => [c.channel, c.granted, c.clause])).toEqual([
      ['sms', true, "Tout sauf l'email"],
      ['email', false, "Tout sauf l'email"],
    ]);
  });
  it('the later statement about a channel wins', () => {
    expect(verdicts('Pas de WhatsApp. Enfin si, WhatsApp ça va.')).toEqual({ whatsapp: true });
    expect(verdicts('WhatsApp oui. Non, finalement pas WhatsApp.')).toEqual({ whatsapp: false });
  });
});

describe('detectSpokenConsents (CRM capture)', () => {
  it('records each channel on its own: a refused SMS does not refuse WhatsApp', () => {
    expect(detectSpokenConsents("J'accepte d'être contactée par WhatsApp mais pas de SMS")).toEqual([
      { channel: 'whatsapp', granted: true, source: 'speech', wording: "J'accepte d'être contactée par WhatsApp", wording_version: 'spoken' },
      { channel: 'sms', granted: false, source: 'speech', wording: 'pas de SMS', wording_version: 'spoken' },
    ]);
  });
  it('keeps only the channels the CRM records', () => {
    expect(detectSpokenConsents("tout sauf l'email").map((c) => [c.channel, c.granted])).toEqual([['whatsapp', true], ['sms', true]]);
    expect(detectSpokenConsents('vous pouvez m’appeler, pas de mails')).toEqual([]);
  });
  it('reads the consent sentence after a seed dictation', () => {
    const text = "Je m'appelle Lina Andrianina, mon email lina@exemple.com, mon téléphone +261 32 12 34 567. J'accepte d'être contactée par WhatsApp.";
    expect(detectSpokenConsents(text)).toEqual([
      { channel: 'whatsapp', granted: true, source: 'speech', wording: "J'accepte d'être contactée par WhatsApp", wording_version: 'spoken' },
    ]);
  });
});
