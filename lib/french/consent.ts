/**
 * Consent to be contacted, read per channel from what a person said ("J'accepte WhatsApp mais pas de SMS",
 * "tout sauf l'email", "SMS oui, WhatsApp non"). A consent is a legal record (RGPD art. 7): each channel gets its own
 * verdict and the exact clause that supports it, and a channel merely named without an accept/refuse cue gets none.
 * The rules are listed in lib/french/README.md ("Consent per channel"); each has a phrasing in
 * test/french/consent.test.ts.
 *
 * Pure and deterministic: no Node imports, usable in workflow code.
 */
import { normalizeText } from './normalize';

/** The channels a person can consent to: a messaging app, text messages, e-mail, phone calls. */
export type SpokenConsentChannel = 'whatsapp' | 'sms' | 'email' | 'call';
export const SPOKEN_CONSENT_CHANNELS: readonly SpokenConsentChannel[] = ['whatsapp', 'sms', 'email', 'call'];

export interface SpokenConsent {
  channel: SpokenConsentChannel;
  granted: boolean;
  /** The words of the input that carry this verdict, as said (original case and accents), trimmed. */
  clause: string;
  /** Character offsets of `clause` in the input. */
  start: number;
  end: number;
}

export interface ConsentOptions {
  /**
   * The channels the question asked about, when the text answers a consent question. A bare "oui" / "non merci"
   * with no channel named anywhere applies to these; "les deux" / "ni l'un ni l'autre" mean these; "tout" means
   * these (all four channels when not given). Without it (a dictation), a bare yes/no records nothing.
   */
  asked?: readonly SpokenConsentChannel[];
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

interface Tok {
  w: string;
  start: number;
  end: number;
  /** What separates this token from the previous one: a sentence end, a comma-like pause, or nothing. */
  brk: 'sentence' | 'comma' | null;
}

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  // A "." ends a sentence only when a space or the end follows it ("lina@exemple.com" is not two sentences).
  const re = /[\p{L}\p{M}\p{N}]+|[.](?=\s|$)|[!?;…\n]|[,:()«»"—–]/gu;
  let brk: Tok['brk'] = null;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const raw = m[0];
    if (/^[.!?;…\n]$/.test(raw)) {
      brk = 'sentence';
      continue;
    }
    if (/^[,:()«»"—–]$/.test(raw)) {
      if (brk === null) brk = 'comma';
      continue;
    }
    const w = normalizeText(raw).replace(/ /g, '');
    if (w === '') continue;
    out.push({ w, start: m.index, end: m.index + raw.length, brk });
    brk = null;
  }
  return out;
}

const phrase = (s: string): string[] => s.split(' ');

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary (normalized: lower case, no accents, apostrophes and hyphens as spaces)

const CHANNEL_PHRASES: ReadonlyArray<{ w: string[]; c: SpokenConsentChannel }> = [
  ...['whatsapp', 'whatsapps', 'whats app', 'what s app', 'whatsap', 'watsap', 'watsapp', 'wattsapp', 'ouatsap', 'ouatsapp',
    'message whatsapp', 'messages whatsapp', 'par message whatsapp', 'par messages whatsapp'].map((s) => ({ w: phrase(s), c: 'whatsapp' as const })),
  ...['sms', 's m s', 'texto', 'textos', 'par message', 'par messages', 'message texte', 'messages texte', 'messages textes',
    'message ecrit', 'messages ecrits'].map((s) => ({ w: phrase(s), c: 'sms' as const })),
  ...['email', 'emails', 'e mail', 'e mails', 'mail', 'mails', 'courriel', 'courriels', 'mel', 'mels', 'par ecrit'].map((s) => ({ w: phrase(s), c: 'email' as const })),
  ...['appel', 'appels', 'appeler', 'appelez', 'appele', 'appelee', 'appeles', 'appelees', 'rappeler', 'rappelez', 'rappele',
    'rappelee', 'appelle', 'rappelle', 'telephone', 'telephoner', 'telephoniquement',
    'appel telephonique', 'appels telephoniques', 'coup de fil', 'coups de fil'].map((s) => ({ w: phrase(s), c: 'call' as const })),
].sort((a, b) => b.w.length - a.w.length);

/** A channel word after one of these names a contact field ("mon mail c'est…", "numéro WhatsApp"), not a consent. */
const FIELD_BEFORE = new Set(['mon', 'ma', 'mes', 'ton', 'ta', 'votre', 'vos', 'son', 'sa', 'adresse', 'numero', 'compte', 'profil']);
/** "téléphone" after these is the device or the number ("sur mon téléphone", "numéro de téléphone"). */
const PHONE_DEVICE_BEFORE = new Set(['sur', 'de', 'du', 'au', 'portable']);

/** "tout" / "tous les canaux": every channel asked about (all four when the question is not known). */
const ALL_PHRASES = ['tout', 'tous', 'toutes', 'tous les canaux', 'tous les moyens', 'tous les modes', 'n importe lequel',
  'n importe quel moyen', 'n importe quel canal', 'tout ca', 'tous les deux', 'toutes les deux'].map(phrase).sort((a, b) => b.length - a.length);
/** "les deux", "ni l'un ni l'autre": the channels asked about; nothing when the question is not known. */
const ASKED_PHRASES = ['les deux', 'l un et l autre', 'ni l un ni l autre', 'ni l une ni l autre'].map(phrase).sort((a, b) => b.length - a.length);
/** "tout" in these is not "every channel". */
const NOT_ALL_AFTER = new Set(['a', 'de', 'le', 'la', 'les', 'moment', 'suite', 'temps', 'jours', 'juste']);

type Pol = 'grant' | 'refuse' | 'neutral' | 'same' | 'prefer' | 'dispref';
interface CueDef {
  w: string[];
  p: Pol;
  /** Binds only forward ("pas de X", "oui pour X"): never a verdict said after the channel ("X oui"). */
  fwdOnly?: boolean;
}

const cues = (p: Pol, list: string[], fwdOnly = false): CueDef[] => list.map((s) => ({ w: phrase(s), p, fwdOnly }));

const CUE_DEFS: readonly CueDef[] = [
  // Grants, including those that contain a negation word ("pas de problème", "ça ne me dérange pas").
  ...cues('grant', [
    'j accepte', 'accepte', 'acceptez', 'accepter', 'j autorise', 'autorise', 'je consens', 'consens', 'je donne mon accord',
    'donne mon accord', 'je suis d accord', 'd accord', 'ok', 'okay', 'oui', 'ouais', 'volontiers', 'avec plaisir',
    'je veux bien', 'veux bien', 'vous pouvez', 'pouvez', 'c est bon', 'ca va', 'ca me va', 'me va', 'me vont', 'me convient', 'me conviennent', 'ca me convient',
    'pas de probleme', 'pas de soucis', 'pas de souci', 'sans probleme', 'sans souci', 'aucun probleme', 'aucun souci',
    'pas d inconvenient', 'aucun inconvenient', 'pas d objection', 'aucune objection', 'ne me derange pas', 'me derange pas',
    'je ne suis pas contre', 'ne suis pas contre', 'suis pas contre', 'pas contre', 'n ai rien contre', 'ai rien contre',
    'rien contre', 'pourquoi pas', 'bien sur', 'tout a fait', 'evidemment', 'allez y', 'je souhaite', 'souhaite',
    'j aimerais', 'aimerais', 'je voudrais', 'voudrais', 'je veux', 'veux', 'ne refuse pas', 'refuse pas',
    'ne dis pas non', 'dis pas non', 'parfait', 'tres bien', 'ca marche', 'avec joie', 'sans hesiter', 'si',
  ]),
  // A preference grants the preferred channel; the other one gets no record (preferring is not refusing).
  ...cues('prefer', ['je prefere', 'prefere', 'preferez', 'de preference', 'plutot', 'privilegiez', 'privilegie', 'surtout par',
    'seulement', 'uniquement', 'juste', 'rien que'], true),
  ...cues('dispref', ['plutot que', 'plutot qu', 'au lieu de', 'au lieu du', 'au lieu des', 'plus que'], true),
  ...cues('refuse', [
    'non', 'nan', 'non merci', 'je refuse', 'refuse', 'refusez', 'jamais', 'pas question', 'hors de question', 'surtout pas',
    'absolument pas', 'certainement pas', 'pas du tout', 'aucunement', 'je prefere pas', 'prefere pas', 'plutot pas',
    'plutot non', 'je m oppose', 'm oppose', 'oppose', 'j interdis', 'interdis', 'stop', 'arretez', 'pas envie',
    'pas la peine', 'pas besoin', 'inutile', 'pas d accord', 'suis pas d accord', 'accepte pas', 'veux pas', 'souhaite pas', 'autorise pas', 'non plus',
  ]),
  ...cues('refuse', ['pas', 'pas de', 'pas d', 'pas par', 'pas pour', 'non pour', 'ni', 'sans', 'aucun', 'aucune', 'jamais par', 'jamais de'], true),
  // No decision: "je ne sais pas pour WhatsApp", "peut-être par SMS".
  ...cues('neutral', ['je ne sais pas', 'ne sais pas', 'sais pas', 'je sais pas', 'je ne suis pas sur', 'pas sur', 'peut etre',
    'je verrai', 'on verra', 'reflechir', 'je vais reflechir', 'je ne sais plus', 'sais plus', 'a voir']),
  ...cues('same', ['aussi', 'egalement', 'pareil', 'de meme', 'idem', 'itou']),
].slice().sort((a, b) => b.w.length - a.w.length);

/** Words a cue may stand apart from its channel by ("j'accepte d'être contactée par WhatsApp"). */
const FILLERS = new Set([
  'de', 'd', 'du', 'des', 'le', 'la', 'l', 'les', 'un', 'une', 'par', 'via', 'sur', 'en', 'pour', 'au', 'aux', 'a',
  'etre', 'contacte', 'contactee', 'contactes', 'contactees', 'contacter', 'contactez', 'joindre', 'joint', 'jointe',
  'me', 'm', 'moi', 'nous', 'recevoir', 'envoyer', 'envoyez', 'ecrire', 'ecrivez', 'informations', 'infos',
  'nouvelles', 'rappels', 'notifications', 'confirmations', 'c', 'est', 'ca', 'ce', 'alors', 'je', 'j', 'vous', 'on',
  'y', 'bien', 'tres', 'mais', 'merci', 'que', 'qu', 'euh', 'heu', 'bah', 'ben',
  'hum', 'bon', 'ah', 'oh', 'vraiment', 'tout', 'fait',
]);

/** Words that make a clause without a channel a consent to be contacted at all. */
const CONTACT_VERBS = new Set(['contacte', 'contactee', 'contactes', 'contactees', 'contacter', 'contactez', 'joindre', 'joint', 'jointe', 'ecrire', 'recevoir', 'sollicite', 'sollicitee']);

/** Words that start a new clause with the contrast they carry. */
const CONNECTORS: ReadonlyArray<{ w: string[]; kind: SegKind }> = ([
  ['mais', 'contrast'], ['par contre', 'contrast'], ['en revanche', 'contrast'], ['cependant', 'contrast'],
  ['toutefois', 'contrast'], ['sinon', 'contrast'], ['sauf', 'except'], ['sauf pour', 'except'], ['sauf par', 'except'],
  ['excepte', 'except'], ['hormis', 'except'], ['a part', 'except'], ['a l exception de', 'except'], ['a l exception du', 'except'],
  ['a l exception des', 'except'], ['non pardon', 'correction'], ['pardon', 'correction'], ['enfin non', 'correction'],
  ['je veux dire', 'correction'], ['je voulais dire', 'correction'], ['je me suis trompe', 'correction'],
  ['je me suis trompee', 'correction'], ['je corrige', 'correction'],
] as Array<[string, SegKind]>).map(([s, kind]) => ({ w: phrase(s), kind })).sort((a, b) => b.w.length - a.w.length);

/** After "et", these start a new clause ("… c'est lina@… et j'accepte les SMS"). */
const NEW_CLAUSE_AFTER_ET = new Set(['j', 'je', 'vous', 'pas', 'non', 'oui', 'jamais', 'surtout', 'aucun', 'aucune', 'par', 'pour', 'ok', 'd']);

// ---------------------------------------------------------------------------------------------------------------
// Segments

type SegKind = 'start' | 'comma' | 'et' | 'contrast' | 'except' | 'correction';

interface Mention {
  /** A channel, every channel ("tout"), or the channels asked about ("les deux"). */
  target: SpokenConsentChannel | 'all' | 'asked';
  from: number;
  to: number;
  /** The cue index that decides it, once bound. */
  cue?: number;
}

interface Cue {
  p: Pol;
  fwdOnly: boolean;
  from: number;
  to: number;
}

interface Segment {
  kind: SegKind;
  /** Token range [from, to) (connector words excluded). */
  from: number;
  to: number;
  mentions: Mention[];
  cues: Cue[];
}

function matchAt(toks: readonly Tok[], i: number, w: readonly string[], limit: number): boolean {
  if (i + w.length > limit) return false;
  for (let j = 0; j < w.length; j++) {
    if (toks[i + j]?.w !== w[j]) return false;
    // A phrase does not span a pause ("non, merci" is still a refusal, but "oui, pour" is two things).
    if (j > 0 && toks[i + j]?.brk) return false;
  }
  return true;
}

/** The channel phrase at i, unless it is a name cue: "je m'appelle" / "il s'appelle" is a name, not a call. */
function channelAt(toks: readonly Tok[], i: number, limit: number): { w: string[]; c: SpokenConsentChannel } | null {
  const ch = CHANNEL_PHRASES.find((c) => matchAt(toks, i, c.w, limit));
  if (!ch) return null;
  if (ch.w[0] === 'appelle' && (toks[i - 1]?.w === 's' || (toks[i - 1]?.w === 'm' && toks[i - 2]?.w === 'je'))) return null;
  return ch;
}

/** Splits a sentence [from, to) into segments at pauses, contrast words and "et" + a new clause. */
function splitSegments(toks: readonly Tok[], from: number, to: number): Segment[] {
  const segs: Segment[] = [];
  let cur: Segment = { kind: 'start', from, to: from, mentions: [], cues: [] };
  /** Closes the current segment at `end` and opens one of `kind` at `at` (after the connector words). */
  const open = (kind: SegKind, end: number, at: number) => {
    cur.to = end;
    if (cur.to > cur.from || cur.kind !== 'start') segs.push(cur);
    cur = { kind, from: at, to: at, mentions: [], cues: [] };
  };
  for (let i = from; i < to; ) {
    const t = toks[i];
    if (!t) break;
    const conn = CONNECTORS.find((c) => matchAt(toks, i, c.w, to));
    if (conn) {
      open(conn.kind, i, i + conn.w.length);
      i += conn.w.length;
      continue;
    }
    // A pause right after a connector ("mais, …", "non pardon, …") keeps the connector's clause.
    if (i > from && t.brk === 'comma' && cur.from < i) open('comma', i, i);
    if (t.w === 'et' && NEW_CLAUSE_AFTER_ET.has(toks[i + 1]?.w ?? '') && !(toks[i + 1]?.w === 'par' || toks[i + 1]?.w === 'pour' || toks[i + 1]?.w === 'd')) {
      open('et', i, i + 1);
      i++;
      continue;
    }
    i++;
  }
  cur.to = to;
  segs.push(cur);
  return segs.filter((s) => s.to > s.from || s.kind === 'except');
}

/** Reads the channel mentions and the cues of a segment (longest phrase first, left to right). */
function readSegment(toks: readonly Tok[], seg: Segment): void {
  for (let i = seg.from; i < seg.to; ) {
    // Generic negation "ne … pas / jamais / plus" (the cue list holds the grants that contain one).
    const cueDef = CUE_DEFS.find((c) => matchAt(toks, i, c.w, seg.to));
    const neg = !cueDef || cueDef.w.length === 1 ? negationAt(toks, i, seg.to) : null;
    if (neg) {
      const ci = seg.cues.push({ p: neg.p, fwdOnly: false, from: i, to: neg.to }) - 1;
      // "ne m'appelez pas": a channel said inside the negation is what it refuses.
      for (let k = i; k < neg.to; k++) {
        const inner = channelAt(toks, k, neg.to);
        if (inner) seg.mentions.push({ target: inner.c, from: k, to: k + inner.w.length, cue: ci });
      }
      i = neg.to;
      continue;
    }
    const asked = ASKED_PHRASES.find((p) => matchAt(toks, i, p, seg.to));
    if (asked) {
      // "ni l'un ni l'autre" refuses both; "les deux" / "l'un et l'autre" carry no verdict by themselves.
      const m: Mention = { target: 'asked', from: i, to: i + asked.length };
      if (asked[0] === 'ni') m.cue = seg.cues.push({ p: 'refuse', fwdOnly: true, from: i, to: i + 1 }) - 1;
      seg.mentions.push(m);
      i += asked.length;
      continue;
    }
    const ch = channelAt(toks, i, seg.to);
    if (ch) {
      const prev = toks[i - 1]?.w ?? '';
      const field = i > seg.from && (FIELD_BEFORE.has(prev) || (ch.c === 'call' && ch.w[0] === 'telephone' && PHONE_DEVICE_BEFORE.has(prev)));
      if (!field) seg.mentions.push({ target: ch.c, from: i, to: i + ch.w.length });
      i += ch.w.length;
      continue;
    }
    if (cueDef) {
      seg.cues.push({ p: cueDef.p, fwdOnly: cueDef.fwdOnly === true, from: i, to: i + cueDef.w.length });
      i += cueDef.w.length;
      continue;
    }
    const all = ALL_PHRASES.find((p) => matchAt(toks, i, p, seg.to));
    if (all && !(all.length === 1 && (NOT_ALL_AFTER.has(toks[i + 1]?.w ?? '') || ['du', 'pas'].includes(toks[i - 1]?.w ?? '')))) {
      seg.mentions.push({ target: 'all', from: i, to: i + all.length });
      i += all.length;
      continue;
    }
    i++;
  }
}

const NEGATORS = new Set(['pas', 'jamais', 'plus', 'point', 'aucun', 'aucune', 'rien']);
/** Words after a negation that turn it into a grant ("ne me dérange pas", "n'ai rien contre", "ne refuse pas"). */
const NEGATED_REFUSAL = new Set(['derange', 'deranger', 'refuse', 'refuser', 'contre', 'probleme', 'souci', 'soucis', 'inconvenient', 'objection', 'oppose', 'non']);
const UNDECIDED = new Set(['sais', 'sure', 'sur', 'certain', 'certaine']);

/** "ne" / "n'" followed within four words by a negator: a refusal, a grant ("ne me dérange pas") or no decision. */
function negationAt(toks: readonly Tok[], i: number, limit: number): { p: Pol; to: number } | null {
  const w = toks[i]?.w;
  if (w !== 'ne' && w !== 'n') return null;
  for (let j = i + 1; j < Math.min(limit, i + 5); j++) {
    if (toks[j]?.brk) return null;
    if (!NEGATORS.has(toks[j]?.w ?? '')) continue;
    // The words of the negation and the two after it, up to a pause ("je ne veux pas, non" stays a refusal).
    let end = j + 1;
    while (end < Math.min(limit, j + 3) && !toks[end]?.brk) end++;
    const span = toks.slice(i + 1, end).map((t) => t.w);
    const inside = span.slice(0, j - i - 1);
    // "je ne sais pas", "je ne suis pas sûr(e)": no decision.
    if (inside.includes('sais') || (inside.includes('suis') && UNDECIDED.has(toks[j + 1]?.w ?? '') && !toks[j + 1]?.brk)) {
      return { p: 'neutral', to: j + 1 };
    }
    const grantAt = span.findIndex((x) => NEGATED_REFUSAL.has(x));
    // Take the words that make it a grant, so that "contre" or "problème" is not read again.
    if (grantAt >= 0) return { p: 'grant', to: Math.max(j + 1, i + 1 + grantAt + 1) };
    // "je n'ai pas WhatsApp" says what the person has, not what they refuse.
    if (toks[i + 1]?.w === 'ai') return { p: 'neutral', to: j + 1 };
    // "je ne suis pas d'accord", "je n'accepte pas": the grant words negated belong to the refusal.
    const grant = CUE_DEFS.find((c) => c.p === 'grant' && matchAt(toks, j + 1, c.w, limit));
    return { p: 'refuse', to: j + 1 + (grant ? grant.w.length : 0) };
  }
  return null;
}

function onlyFillers(toks: readonly Tok[], from: number, to: number, extra?: ReadonlySet<string>): boolean {
  for (let k = from; k < to; k++) {
    const w = toks[k]?.w ?? '';
    if (!FILLERS.has(w) && !(extra?.has(w) ?? false)) return false;
  }
  return true;
}

const CHAIN_LINKS = new Set(['et', 'ou', 'ni']);
/** After a preference, the channel these introduce is the one not chosen ("plutôt SMS que WhatsApp", "SMS à WhatsApp"). */
const OTHER_CHOICE = new Set(['que', 'qu', 'a', 'aux', 'au']);

/** Binds mentions to the cues next to them; the rest take the nearest cue of their segment. */
function bindSegment(toks: readonly Tok[], seg: Segment): void {
  const { mentions, cues: cs } = seg;
  const nextMention = (pos: number) => mentions.find((m) => m.from >= pos);
  const prevMention = (pos: number) => [...mentions].reverse().find((m) => m.to <= pos);
  const postposedCueAfter = (m: Mention) => {
    const c = cs.find((x) => x.from >= m.to);
    return c !== undefined && !c.fwdOnly && onlyFillers(toks, m.to, c.from);
  };
  const bindChain = (first: Mention, ci: number) => {
    first.cue = ci;
    let m = first;
    for (;;) {
      const n = nextMention(m.to);
      if (!n || n.cue !== undefined || !onlyFillers(toks, m.to, n.from, CHAIN_LINKS) || postposedCueAfter(n)) break;
      // "plutôt SMS que WhatsApp": the mention after "que" is the other choice, not part of the list.
      if (cs[ci]?.p === 'prefer' && toks.slice(m.to, n.from).some((t) => t.w === 'que' || t.w === 'qu' || t.w === 'a' || t.w === 'aux')) break;
      n.cue = ci;
      m = n;
    }
  };
  cs.forEach((c, ci) => {
    // A verdict said after its channel ("SMS oui", "WhatsApp, jamais").
    const before = prevMention(c.from);
    if (!c.fwdOnly && before && before.cue === undefined && onlyFillers(toks, before.to, c.from)) {
      before.cue = ci;
      // "SMS et WhatsApp oui": the whole list before it.
      let m = before;
      for (;;) {
        const p = prevMention(m.from);
        if (!p || p.cue !== undefined || !onlyFillers(toks, p.to, m.from, CHAIN_LINKS)) break;
        p.cue = ci;
        m = p;
      }
      return;
    }
    const after = nextMention(c.to);
    if (after && after.cue === undefined && onlyFillers(toks, c.to, after.from)) bindChain(after, ci);
  });
  // "plutôt par SMS que par WhatsApp", "je préfère les SMS à WhatsApp": the other choice is not recorded.
  for (const m of mentions) {
    if (m.cue !== undefined || !cs.some((c) => c.p === 'prefer' && c.to <= m.from)) continue;
    // The nearest word before the mention that is not a filler, "que" and "à" included, says it is the other choice.
    let k = m.from - 1;
    while (k >= seg.from && FILLERS.has(toks[k]?.w ?? '') && !OTHER_CHOICE.has(toks[k]?.w ?? '')) k--;
    if (OTHER_CHOICE.has(toks[k]?.w ?? '')) m.cue = -1;
  }
  for (const m of mentions) {
    if (m.cue !== undefined) continue;
    let best = -1;
    cs.forEach((c, ci) => {
      if (c.to <= m.from) best = ci;
    });
    if (best < 0) best = cs.findIndex((c) => c.from >= m.to);
    if (best >= 0) m.cue = best;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Verdicts

interface Verdict {
  channel: SpokenConsentChannel;
  granted: boolean;
  from: number;
  to: number;
  /** Token position the verdict is ordered by (the later statement about a channel wins). */
  at: number;
}

function polarityOf(p: Pol | undefined, last: boolean | null): boolean | null {
  if (p === 'grant' || p === 'prefer') return true;
  if (p === 'refuse') return false;
  if (p === 'same') return last;
  return null;
}

/** The verdict a segment ends on (its last deciding cue), for the clause that follows it. */
function segPolarity(seg: Segment, last: boolean | null): boolean | null {
  for (let k = seg.cues.length - 1; k >= 0; k--) {
    const v = polarityOf(seg.cues[k]?.p, last);
    if (v !== null) return v;
  }
  return null;
}

/**
 * Every channel the text grants or refuses, one verdict per channel (the last statement about it wins, as in a
 * self-correction), in the order whatsapp, sms, email, call. Channels without a verdict are absent.
 */
export function parseSpokenConsents(text: string, opts: ConsentOptions = {}): SpokenConsent[] {
  const toks = tokenize(text);
  const asked = opts.asked ? SPOKEN_CONSENT_CHANNELS.filter((c) => opts.asked?.includes(c)) : null;
  const expand = (t: Mention['target']): readonly SpokenConsentChannel[] =>
    t === 'all' ? asked ?? SPOKEN_CONSENT_CHANNELS : t === 'asked' ? asked ?? [] : [t];

  const segs: Segment[] = [];
  for (let s = 0; s < toks.length; ) {
    let e = s + 1;
    while (e < toks.length && toks[e]?.brk !== 'sentence') e++;
    // Each sentence opens with a 'start' segment: no clause takes a verdict across a sentence end.
    segs.push(...splitSegments(toks, s, e));
    s = e;
  }
  for (const seg of segs) {
    readSegment(toks, seg);
    bindSegment(toks, seg);
  }

  const byChannel = new Map<SpokenConsentChannel, Verdict>();
  let lastPol: boolean | null = null;
  const record = (m: Mention, granted: boolean, from: number, to: number) => {
    for (const channel of expand(m.target)) {
      byChannel.set(channel, { channel, granted, from, to, at: m.from });
    }
    lastPol = granted;
  };

  const noCueAtAll = segs.every((s2) => s2.cues.length === 0);
  segs.forEach((seg, si) => {
    const prev = seg.kind === 'start' ? undefined : segs[si - 1];
    const prevPol = prev ? segPolarity(prev, lastPol) : null;
    // "tout sauf l'email", "oui sauf par SMS": the clause before "sauf" covers every channel but the exceptions.
    // So does a general consent before "mais" ("je veux bien être contacté, mais pas par téléphone").
    const generalGrant = seg.kind === 'contrast' && prev !== undefined && prev.mentions.length === 0 && prevPol === true &&
      (asked !== null || toks.slice(prev.from, prev.to).some((t) => CONTACT_VERBS.has(t.w)));
    if ((seg.kind === 'except' || generalGrant) && prev && seg.mentions.length > 0) {
      const prevAll = prev.mentions.find((m) => m.target === 'all');
      const base = prevPol ?? (prevAll ? true : null);
      if (base !== null) {
        if (prev.mentions.length === 0) record({ target: 'all', from: prev.from, to: prev.to }, base, prev.from, seg.to);
        else if (prevAll && prevAll.cue === undefined) record(prevAll, base, prev.from, seg.to);
        for (const m of seg.mentions) {
          const c = m.cue !== undefined && m.cue >= 0 ? seg.cues[m.cue] : undefined;
          if (c?.p === 'neutral') continue;
          record(m, polarityOf(c?.p, lastPol) ?? !base, prev.from, seg.to);
        }
        return;
      }
    }
    // A clause that names channels but says no verdict takes one from the clauses around it.
    let inherited: boolean | null = null;
    let evFrom = seg.from;
    let evTo = seg.to;
    if (seg.mentions.length > 0 && seg.cues.length === 0) {
      // "SMS, WhatsApp et email, j'accepte" / "Pour les SMS, c'est non": the verdict said in the next clause.
      let k = si + 1;
      while (segs[k]?.kind === 'comma' && segs[k]?.cues.length === 0 && (segs[k]?.mentions.length ?? 0) > 0) k++;
      const next = segs[k];
      const nextPol = next && next.kind === 'comma' && next.mentions.length === 0 ? segPolarity(next, lastPol) : null;
      if ((seg.kind === 'contrast' || seg.kind === 'except') && prevPol !== null) {
        inherited = !prevPol; // "pas de SMS mais WhatsApp"
      } else if (seg.kind === 'correction' && prev && prevPol !== null) {
        inherited = prevPol; // "j'accepte les SMS, non pardon, WhatsApp": the verdict moves to the corrected channel
        for (const m of prev.mentions) for (const c of expand(m.target)) if (byChannel.get(c)?.at === m.from) byChannel.delete(c);
      } else if ((seg.kind === 'start' || seg.kind === 'comma' || seg.kind === 'et') && nextPol !== null && next) {
        inherited = nextPol;
        evTo = next.to;
      } else if ((seg.kind === 'comma' || seg.kind === 'et') && prev && prevPol !== null) {
        inherited = prevPol; // "Oui, par SMS"; "J'accepte les SMS, les mails et WhatsApp": the list goes on
        evFrom = prev.from;
      }
    }
    for (const m of seg.mentions) {
      if (m.cue === -1) continue; // the channel not preferred
      let pol: boolean | null = inherited;
      if (m.cue !== undefined) {
        const c = seg.cues[m.cue];
        if (c?.p === 'neutral') continue;
        pol = polarityOf(c?.p, lastPol);
      }
      // "les deux", "tous" as the whole answer to "which channels?" names the channels chosen.
      if (pol === null && (m.target === 'all' || m.target === 'asked') && asked && noCueAtAll) pol = true;
      if (pol !== null) record(m, pol, evFrom, evTo);
    }
    if (seg.mentions.length === 0 && seg.kind === 'correction' && prev) {
      // "j'accepte les SMS, enfin non, je refuse": the correction decides the channels just named.
      const pol = segPolarity(seg, lastPol);
      if (pol !== null) for (const m of prev.mentions) record(m, pol, prev.from, seg.to);
    }
  });

  // A bare "oui" / "non merci" answers the question asked when no channel is named at all.
  const anyMention = segs.some((s) => s.mentions.length > 0);
  if (!anyMention && asked && asked.length > 0) {
    for (let si = segs.length - 1; si >= 0; si--) {
      const seg = segs[si];
      const pol = seg ? segPolarity(seg, null) : null;
      if (seg && pol !== null) {
        for (const c of asked) byChannel.set(c, { channel: c, granted: pol, from: seg.from, to: seg.to, at: seg.from });
        break;
      }
    }
  }

  return SPOKEN_CONSENT_CHANNELS.flatMap((channel) => {
    const v = byChannel.get(channel);
    if (!v) return [];
    const start = toks[v.from]?.start ?? 0;
    const end = toks[Math.max(v.from, v.to - 1)]?.end ?? start;
    return [{ channel, granted: v.granted, clause: text.slice(start, end).trim(), start, end }];
  });
}
