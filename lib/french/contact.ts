/**
 * Deterministic reading of a contact dictation (seed 000: "Je m'appelle Lina Andrianina, mon email lina@exemple.com,
 * mon téléphone +261 32 12 34 567.") into first name, last name, e-mail and E.164 phone.
 *
 * - Names come after a cue ("je m'appelle", "mon nom est", "moi c'est", "ici", "c'est", "mon prénom est", "mon nom
 *   de famille est") or, without a cue, from capitalized words opening the dictation (then flagged in needs_check).
 * - Self-corrections ("non pardon, c'est …", "enfin plutôt …"): the later value wins. A correction right after a
 *   name replaces the name; e-mails and phones simply keep the last one said.
 * - E-mail and phone are only ever values read from the transcript: nothing is completed or guessed.
 * - needs_check lists the fields the read-back must confirm: a name guessed without a cue or split by guess, an
 *   e-mail read with glued words or spelled letters, a phone taken from a longer run of numbers.
 *
 * Pure: no Node imports (usable in workflow code and in the backend).
 */
import { findEmailsInText, textSupportsEmail } from './email';
import { HESITATIONS, normalizeText } from './normalize';
import { isNumberWord, tokenize } from './numbers';
import { findPhonesInText, textSupportsPhone, type PhoneOptions } from './phone';
import { FIRST_NAMES, HONORIFICS, LOWER_PARTICLES, MALAGASY_SURNAME, NOT_NAME, PARTICLES } from './names';

/** The fields of a contact, in the order they are read back and reported (needs_check, dropped). */
export const CONTACT_FIELDS = ['firstname', 'lastname', 'email', 'phone'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export interface ExtractedContact {
  firstname: string | null;
  lastname: string | null;
  email: string | null;
  phone: string | null;
  needs_check: ContactField[];
}

interface NTok {
  raw: string;
  /** Normalized; words with apostrophes keep a space ("m'appelle" → "m appelle"). */
  norm: string;
  start: number;
  end: number;
  punct: boolean;
}

/** full: first and last name; name: "mon nom est …" (one word alone is a last name); first / last: one of them. */
type CueKind = 'full' | 'name' | 'first' | 'last';
interface Cue {
  phrase: string[];
  kind: CueKind;
  /** A weak cue ("c'est", "ici", "je suis") needs a capitalized or known first word after it. */
  weak: boolean;
}

const CUES: readonly Cue[] = ([
  ['je m appelle', 'full', false], ['je m appele', 'full', false], ['je me nomme', 'full', false],
  ['mon nom est', 'name', false], ['mon nom c est', 'name', false], ['mon nom complet est', 'full', false],
  ['mon nom complet c est', 'full', false], ['moi c est', 'full', false], ['nom et prenom', 'full', false],
  ['nom prenom', 'full', false], ['prenom et nom', 'full', false], ['mon nom', 'name', true],
  ['ici', 'full', true], ['c est', 'full', true], ['je suis', 'full', true], ['de la part de', 'full', false],
  ['mon prenom est', 'first', false], ['mon prenom c est', 'first', false], ['mon prenom', 'first', false],
  ['prenom', 'first', true],
  ['mon nom de famille est', 'last', false], ['mon nom de famille c est', 'last', false],
  ['mon nom de famille', 'last', false], ['nom de famille', 'last', false], ['nom', 'last', true],
] as const).map(([p, kind, weak]) => ({ phrase: p.split(' '), kind, weak }))
  .sort((a, b) => b.phrase.length - a.phrase.length);

/** Phrases by which a caller takes back what they just said. */
const CORRECTIONS = [
  'non pardon', 'pardon', 'enfin plutot', 'ou plutot', 'plutot', 'je veux dire', 'non attendez', 'attendez',
  'je me suis trompe', 'je me suis trompee', 'je recommence', 'correction', 'euh non', 'non non', 'excusez moi',
  'je reprends', 'non enfin', 'enfin non',
].map((p) => p.split(' ')).sort((a, b) => b.length - a.length);

const MAX_NAME_WORDS = 5;

/** Words naming a contact field other than the name: a weak cue right after them is not a name cue. */
const FIELD_WORDS: ReadonlySet<string> = new Set([
  'email', 'mail', 'mel', 'courriel', 'adresse', 'electronique', 'numero', 'telephone', 'tel', 'portable',
  'mobile', 'fixe', 'code', 'ligne',
]);

function tokenizeNames(text: string): NTok[] {
  const out: NTok[] = [];
  const re = /[\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*|[\p{N}]+|[,.;:!?()"«»]/gu;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const raw = m[0];
    const punct = /^[,.;:!?()"«»]$/.test(raw);
    out.push({ raw, norm: punct ? raw : normalizeText(raw), start: m.index, end: m.index + raw.length, punct });
  }
  return out;
}

/** Normalized words of the token stream, one entry per word, pointing back at the token they come from. */
interface Flat {
  w: string;
  tok: number;
}

function flatten(toks: readonly NTok[]): Flat[] {
  const out: Flat[] = [];
  toks.forEach((t, i) => {
    if (t.punct) out.push({ w: t.norm, tok: i });
    else for (const w of t.norm.split(' ')) out.push({ w, tok: i });
  });
  return out;
}

function matchAt(flat: readonly Flat[], i: number, phrase: readonly string[]): boolean {
  return phrase.every((p, j) => flat[i + j]?.w === p);
}

function isCapitalized(raw: string): boolean {
  return /^\p{Lu}/u.test(raw);
}

/** A token that may be part of a name: letters only, not a cue/contact/number word. */
function isNameWord(t: NTok | undefined): boolean {
  if (!t || t.punct) return false;
  if (!/^\p{L}/u.test(t.raw)) return false;
  const n = t.norm;
  if (n.length < 2) return false;
  if (NOT_NAME.has(n) || HESITATIONS.has(n)) return false;
  if (n.split(' ').some((x) => isNumberWord(x))) return false;
  if (/^(m|j|c|n|s|l|qu) /.test(n)) return false; // "m'appelle", "c'est", "l'email"
  return true;
}

interface Capture {
  words: NTok[];
  /** Token index after the capture. */
  end: number;
  honorific: boolean;
}

/** Reads the name after a cue starting at token i: skips hesitations and honorifics, keeps particles inside. */
function captureName(toks: readonly NTok[], i: number, weak: boolean): Capture | null {
  const words: NTok[] = [];
  let honorific = false;
  let k = i;
  for (; k < toks.length && words.length < MAX_NAME_WORDS; k++) {
    const t = toks[k];
    if (!t) break;
    if (t.punct) {
      // "Jean-Pierre, euh, Martin": a comma before a hesitation does not end the name.
      if (t.raw === ',' || t.raw === '…') {
        let j = k + 1;
        while (toks[j] && (toks[j]?.punct || HESITATIONS.has(toks[j]?.norm ?? ''))) j++;
        const hes = toks.slice(k + 1, j).some((x) => HESITATIONS.has(x.norm));
        if ((words.length === 0 || hes) && isNameWord(toks[j])) {
          k = j - 1;
          continue;
        }
      }
      if (words.length === 0 && t.raw === ':') continue;
      break;
    }
    const capitalParticle = words.length > 0 && PARTICLES.has(t.norm) && isCapitalized(t.raw) && isNameWord(toks[k + 1]);
    if (HESITATIONS.has(t.norm) && !capitalParticle) continue;
    if (words.length === 0 && HONORIFICS.has(t.norm)) {
      honorific = true;
      continue;
    }
    const n = t.norm;
    const next = toks[k + 1];
    const isParticle =
      (PARTICLES.has(n) || n.startsWith('d ') || ((n === 'le' || n === 'la') && (isCapitalized(t.raw) || !weak || words[words.length - 1]?.norm === 'de'))) &&
      words.length > 0 &&
      (isNameWord(next) || (next !== undefined && (next.norm === 'la' || next.norm === 'le' || PARTICLES.has(next.norm))));
    const leadingArticleName = words.length === 0 && (n === 'le' || n === 'la') && isCapitalized(t.raw) && isNameWord(next);
    if (isParticle || leadingArticleName || (n.startsWith('d ') && words.length > 0 && /^\p{L}/u.test(t.raw))) {
      words.push(t);
      continue;
    }
    if (!isNameWord(t)) break;
    if (words.length === 0 && weak && !isCapitalized(t.raw) && !FIRST_NAMES.has(n)) return null;
    words.push(t);
  }
  // A trailing particle is not a name.
  while (words.length > 0 && PARTICLES.has(words[words.length - 1]?.norm ?? '')) words.pop();
  return words.length === 0 ? null : { words, end: k, honorific };
}

/** "Je m'appelle Lucie. Lucie Mercier.": the name said again, in full, right after, replaces the short one. */
function extendRepeat(toks: readonly NTok[], cap: Capture | null): Capture | null {
  if (!cap) return cap;
  let k = cap.end;
  while (toks[k]?.punct) k++;
  if (k === cap.end || toks[k]?.norm !== cap.words[0]?.norm) return cap;
  const again = captureName(toks, k, false);
  return again && again.words.length > cap.words.length ? { ...again, honorific: cap.honorific } : cap;
}

/** "jean-pierre" → "Jean-Pierre", "d'almeida" → "d'Almeida", "o'brien" → "O'Brien"; particles stay lower case. */
function capitalizeWord(raw: string, particle: boolean): string {
  const lower = raw.toLocaleLowerCase('fr').replace(/’/g, "'");
  if (particle) return lower;
  return lower
    .split('-')
    .map((part) =>
      part
        .split("'")
        .map((p, i, arr) => (i === 0 && arr.length > 1 && p === 'd' ? p : p.charAt(0).toLocaleUpperCase('fr') + p.slice(1)))
        .join("'"),
    )
    .join('-');
}

function formatName(words: readonly NTok[], lastName: boolean): string {
  return words
    .map((t, i) => {
      const prev = words[i - 1]?.norm;
      const isPart = (i > 0 || lastName) && (LOWER_PARTICLES.has(t.norm) || ((t.norm === 'le' || t.norm === 'la') && (prev === 'de' || prev === 'd')));
      return capitalizeWord(t.raw, isPart);
    })
    .join(' ');
}

interface NameEvent {
  kind: CueKind | 'correction';
  pos: number;
  end: number;
  cap: Capture;
  guessed: boolean;
}

interface NameState {
  first: NTok[] | null;
  last: NTok[] | null;
  check: Set<ContactField>;
  lastSet: 'first' | 'last' | null;
}

function isKnownFirst(t: NTok | undefined): boolean {
  return t !== undefined && t.norm.split(' ').every((p) => FIRST_NAMES.has(p));
}

/** Splits a full name into first and last names (see the module header), updating state. */
function applyFull(state: NameState, cap: Capture, guessed: boolean): void {
  const w = cap.words;
  const particleAt = w.findIndex((t, i) => i > 0 && (PARTICLES.has(t.norm) || t.norm.startsWith('d ') || t.norm === 'le' || t.norm === 'la'));
  if (guessed) {
    state.check.add('firstname');
    state.check.add('lastname');
  }
  if (w.length === 1) {
    const only = w[0];
    if (state.first && !state.last && !isKnownFirst(only)) {
      // "mon prénom est Fara … mon nom est Razafindrabe"
      state.last = w;
      state.lastSet = 'last';
    } else if (!cap.honorific && isKnownFirst(only)) {
      state.first = w;
      state.lastSet = 'first';
    } else if (cap.honorific || !isKnownFirst(only)) {
      if (cap.honorific) {
        state.last = w;
        state.lastSet = 'last';
      } else {
        state.first = w;
        state.lastSet = 'first';
        state.check.add('firstname');
      }
    }
    return;
  }
  let split = 1;
  if (particleAt > 0) split = particleAt;
  else if (w.length >= 3) {
    if (isKnownFirst(w[0]) && isKnownFirst(w[1])) split = 2;
    else if (!isKnownFirst(w[0]) || !isKnownFirst(w[w.length - 1])) {
      state.check.add('firstname');
      state.check.add('lastname');
    }
  }
  let first = w.slice(0, split);
  let last = w.slice(split);
  // "Rakotomalala Hery": a Malagasy family name said first.
  if (w.length === 2 && MALAGASY_SURNAME.test(w[0]?.norm ?? '') && isKnownFirst(w[1]) && !isKnownFirst(w[0])) {
    [first, last] = [last, first];
    state.check.add('firstname');
    state.check.add('lastname');
  }
  state.first = first;
  state.last = last;
  state.lastSet = 'last';
}

/** Spelled letters after a name ("Rakotomalala, R A K O T O…") confirm it, or correct its last word. */
function applySpelling(toks: readonly NTok[], state: NameState, after: number): void {
  let i = after;
  const limit = Math.min(toks.length, after + 6);
  while (i < limit && !(toks[i] && /^\p{L}$/u.test(toks[i]?.raw ?? ''))) i++;
  const letters: string[] = [];
  let j = i;
  while (j < toks.length && (/^\p{L}$/u.test(toks[j]?.raw ?? '') || (toks[j]?.punct && toks[j]?.raw === ','))) {
    const r = toks[j]?.raw ?? '';
    if (r !== ',') letters.push(normalizeText(r));
    j++;
  }
  if (letters.length < 3) return;
  const spelled = letters.join('');
  const field = state.lastSet === 'first' ? state.first : state.last;
  if (!field || field.length === 0) return;
  const target = field[field.length - 1];
  if (!target) return;
  const said = target.norm.replace(/ /g, '');
  if (said === spelled) return;
  if (said[0] !== spelled[0] || Math.abs(said.length - spelled.length) > 3) return;
  const fixed: NTok = { ...target, raw: spelled, norm: spelled };
  const replaced = [...field.slice(0, -1), fixed];
  if (state.lastSet === 'first') state.first = replaced;
  else state.last = replaced;
  state.check.add(state.lastSet === 'first' ? 'firstname' : 'lastname');
}

/** Blanks the given character spans (keeps offsets) so names are not read inside an e-mail or a phone. */
function mask(text: string, spans: ReadonlyArray<{ start: number; end: number }>): string {
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + ' '.repeat(Math.max(0, s.end - s.start)) + out.slice(s.end);
  return out;
}

/** Reads first name, last name, e-mail and phone (E.164) from a French contact dictation. */
export function extractContact(transcript: string, opts: PhoneOptions = {}): ExtractedContact {
  const check = new Set<ContactField>();
  const emails = findEmailsInText(transcript);
  const lastEmail = emails[emails.length - 1];
  if (lastEmail?.uncertain) check.add('email');
  const noEmail = mask(transcript, emails);

  const numTokens = tokenize(noEmail);
  const phones = findPhonesInText(noEmail, opts);
  const lastPhone = phones[phones.length - 1];
  if (lastPhone?.partial || lastPhone?.reread) check.add('phone');
  const phoneSpans = phones.map((p) => ({ start: numTokens[p.from]?.start ?? 0, end: numTokens[p.to - 1]?.end ?? 0 }));
  // Other numbers (a house number, a date) are not names either.
  const text = mask(noEmail, phoneSpans);

  const toks = tokenizeNames(text);
  const flat = flatten(toks);
  const events: NameEvent[] = [];
  const fieldEnds: Array<{ end: number; field: 'name' | 'other' }> = [
    ...emails.map((e) => ({ end: e.end, field: 'other' as const })),
    ...phoneSpans.map((p) => ({ end: p.end, field: 'other' as const })),
  ];

  for (let i = 0; i < flat.length; i++) {
    const cue = CUES.find((c) => matchAt(flat, i, c.phrase));
    const corr = cue ? undefined : CORRECTIONS.find((c) => matchAt(flat, i, c));
    if (!cue && !corr) continue;
    const len = (cue?.phrase ?? corr ?? []).length;
    const lastFlat = flat[i + len - 1];
    if (!lastFlat) continue;
    // The cue may end inside a token ("c'est" is one token): the name starts at the next token.
    const startTok = lastFlat.tok + 1;
    const cueStart = toks[flat[i]?.tok ?? 0]?.start ?? 0;
    // "mon email c'est …", "mon numéro c'est …": that "c'est" introduces the field, not a name.
    const fieldCue = cue?.weak === true && flat.slice(Math.max(0, i - 3), i).some((f) => FIELD_WORDS.has(f.w));
    if (fieldCue) {
      i += len - 1;
      continue;
    }
    if (cue) {
      const cap = extendRepeat(toks, captureName(toks, startTok, cue.weak));
      if (cap) {
        // "c'est" right after a correction of a name corrects that name.
        events.push({ kind: cue.kind, pos: cueStart, end: toks[cap.end - 1]?.end ?? 0, cap, guessed: false });
        fieldEnds.push({ end: toks[cap.end - 1]?.end ?? 0, field: 'name' });
        i = flat.findIndex((f) => f.tok >= cap.end) - 1;
        if (i < 0) break;
      } else i += len - 1;
      continue;
    }
    // A correction marker followed directly by a name corrects the field said just before it, when that was a name.
    const before = fieldEnds.filter((f) => f.end <= cueStart).sort((a, b) => b.end - a.end)[0];
    if (before?.field === 'name') {
      const cap = captureName(toks, startTok, false);
      if (cap) {
        events.push({ kind: 'correction', pos: cueStart, end: toks[cap.end - 1]?.end ?? 0, cap, guessed: false });
        fieldEnds.push({ end: toks[cap.end - 1]?.end ?? 0, field: 'name' });
      }
    }
    i += len - 1;
  }

  // No cue at all: capitalized words opening the dictation ("Lina Andrianina, lina@exemple.com…").
  if (events.length === 0) {
    let k = 0;
    while (toks[k] && (toks[k]?.punct || HESITATIONS.has(toks[k]?.norm ?? '') || ['bonjour', 'bonsoir', 'oui', 'alors', 'allo', 'donc', 'voila'].includes(toks[k]?.norm ?? ''))) k++;
    const first = toks[k];
    if (first && (isKnownFirst(first) || (isCapitalized(first.raw) && isCapitalized(toks[k + 1]?.raw ?? '')))) {
      const cap = captureName(toks, k, true);
      if (cap && (cap.words.length >= 2 || isKnownFirst(cap.words[0]))) {
        events.push({ kind: 'full', pos: first.start, end: toks[cap.end - 1]?.end ?? 0, cap, guessed: true });
      }
    }
  }

  const state: NameState = { first: null, last: null, check, lastSet: null };
  let lastEnd = -1;
  for (const ev of events.sort((a, b) => a.pos - b.pos)) {
    if (ev.kind === 'name' && ev.cap.words.length === 1 && !isKnownFirst(ev.cap.words[0])) {
      // "mon nom c'est Lefort": a single word after "nom" is the family name.
      state.last = ev.cap.words;
      state.lastSet = 'last';
    } else if (ev.kind === 'full' || ev.kind === 'name') applyFull(state, ev.cap, ev.guessed);
    else if (ev.kind === 'first') {
      state.first = ev.cap.words;
      state.lastSet = 'first';
    } else if (ev.kind === 'last') {
      state.last = ev.cap.words;
      state.lastSet = 'last';
    } else if (ev.cap.words.length >= 2) {
      applyFull(state, ev.cap, false);
    } else if (isKnownFirst(ev.cap.words[0])) {
      state.first = ev.cap.words;
      state.lastSet = 'first';
    } else if (state.lastSet === 'last' || state.last) {
      state.last = ev.cap.words;
      state.lastSet = 'last';
    } else {
      state.first = ev.cap.words;
      state.lastSet = 'first';
    }
    lastEnd = ev.cap.end;
  }
  if (lastEnd >= 0) applySpelling(toks, state, lastEnd);

  const firstname = state.first ? formatName(state.first, false) : null;
  const lastname = state.last ? formatName(state.last, true) : null;
  const values: Record<ContactField, string | null> = {
    firstname,
    lastname,
    email: lastEmail?.email ?? null,
    phone: lastPhone?.e164 ?? null,
  };
  return { ...values, needs_check: CONTACT_FIELDS.filter((f) => check.has(f) && values[f] !== null) };
}

/** True when the transcript contains this phone number (in any grouping, said or written). */
export function supportsPhone(transcript: string, e164: string, opts: PhoneOptions = {}): boolean {
  return textSupportsPhone(transcript, e164, opts);
}

/** True when the transcript supports this e-mail address (see textSupportsEmail). */
export function supportsEmail(transcript: string, email: string): boolean {
  return textSupportsEmail(transcript, email);
}
