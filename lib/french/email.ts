/**
 * E-mail addresses dictated in French ("lina arobase exemple point com", "l i n a tiret bas 75 at gmail point fr",
 * "jean point dupont arobase orange point fr") or written by the speech-to-text ("lina@exemple.com"), and the reverse
 * for the read-back prompt.
 *
 * Pure: no Node imports (usable in workflow code).
 */
import { z } from 'zod';
import { HESITATIONS, normalizeText } from './normalize';
import { wordsToNumber } from './numbers';

/** The phone read-back lives with the phone parser; re-exported here next to speakEmail for the prompts. */
export { speakPhone } from './phone';

export interface EmailCandidate {
  email: string;
  /** Character offsets in the input text covering the address as said or written. */
  start: number;
  end: number;
  /** True when the address was written as one piece ("lina@exemple.com") rather than dictated word by word. */
  written: boolean;
  /** True when the reading involved a guess: words glued without a spoken separator, spelled letters, "at". */
  uncertain: boolean;
}

interface ETok {
  w: string;
  start: number;
  end: number;
  /** Punctuation other than . - _ (a comma, a colon…) stands between the previous token and this one. */
  gap?: boolean;
}

const emailSchema = z.email();

/** True for an address the product can send to (zod's e-mail rule, ASCII, a letter-only top-level domain). */
export function isValidEmail(s: string): boolean {
  if (!emailSchema.safeParse(s).success) return false;
  const tld = s.slice(s.lastIndexOf('.') + 1);
  return /^[a-z]{2,24}$/i.test(tld);
}

/** "tiret du huit" is the underscore and "tiret du six" the hyphen (the keys they share on a French keyboard). */
const KEY_DIGITS: ReadonlyMap<string, string> = new Map([['huit', '_'], ['8', '_'], ['six', '-'], ['6', '-']]);
/**
 * "chez" stands for "@" only before a mail provider ("marc chez gmail point com"); elsewhere it is the preposition
 * ("je travaille chez Orange point com" is not an address).
 */
const CHEZ_PROVIDERS = new Set(['gmail', 'yahoo', 'hotmail', 'outlook', 'live', 'msn', 'icloud', 'free', 'orange', 'wanadoo', 'sfr',
  'laposte', 'neuf', 'bbox', 'aol', 'gmx', 'protonmail', 'proton']);
/** Words before "chez" that say it is the preposition. */
const CHEZ_NOT_AT = new Set(['travaille', 'travaillons', 'suis', 'habite', 'vais', 'est', 'client', 'cliente', 'abonne', 'abonnee', 'compte', 'moi']);

const AT_WORDS = new Set(['arobase', 'arrobase', 'arobas', 'arrobas', 'arobaz', 'arrobaz', 'at']);
const DOT_WORDS = new Set(['point', 'dot']);
/** Words that end the local part when reading backwards from "arobase" (cues and articles, not address parts). */
const LOCAL_STOP = new Set([
  'email', 'mail', 'mel', 'courriel', 'adresse', 'electronique', 'est', 'c', 'cest', 'mon', 'ma', 'votre', 'et',
  'voici', 'sur', 'j', 'ai', 'a', 'c', 'l', 'le', 'la', 'son', 'pardon', 'plutot', 'non', 'enfin', 'oui', 'donc',
  'alors', 'puis', 'aussi', 'e', 'je', 'suis', 'vous', 'pouvez', 'me', 'joindre', 'ecrire', 'merci',
  'telephone', 'numero', 'portable', 'mobile', 'dire', 'veux', 'plus', 'du', 'de', 'ca', 'donne', 'sinon',
]);

function tokenizeEmail(text: string): ETok[] {
  const out: ETok[] = [];
  const re = /[@._+-]|[\p{L}\p{M}\p{N}]+/gu;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const raw = m[0];
    const w = /^[@._+-]$/.test(raw) ? raw : normalizeText(raw).replace(/ /g, '');
    const prevEnd = out[out.length - 1]?.end ?? 0;
    const gap = /[,;:!?()«»"]/.test(text.slice(prevEnd, m.index));
    if (w !== '') out.push({ w, start: m.index, end: m.index + raw.length, gap });
  }
  // "soixante-quinze": the hyphen inside a number word is not an address hyphen.
  const kept = out.filter((tok, i) => !(tok.w === '-' && isNumberWord(out[i - 1]?.w) && isNumberWord(out[i + 1]?.w) && !/\d/.test(out[i - 1]?.w ?? '')));
  return dropSpellingMarks(kept);
}

const isLetter = (x: ETok | undefined): boolean => x !== undefined && /^[a-z]$/.test(x.w);

/**
 * A transcript writes spelled letters as "M-A-R-C" or "M. A. R. C.": between single letters (three or more in a
 * row) those marks are the spelling, not an address hyphen or a sentence end. They become a pause between letters.
 */
function dropSpellingMarks(t: readonly ETok[]): ETok[] {
  const mark = (i: number) => {
    const x = t[i];
    if (!x || (x.w !== '-' && x.w !== '.')) return false;
    const a = t[i - 1];
    const b = t[i + 1];
    if (!isLetter(a) || !isLetter(b) || !a || a.end !== x.start) return false;
    // "-" joins letters without spaces; ". " ends a spelled letter followed by a space.
    if (x.w === '-' && b && b.start !== x.end) return false;
    if (x.w === '.' && b && b.start === x.end) return false;
    return true;
  };
  const chain = (i: number) => mark(i) && (mark(i - 2) || mark(i + 2) || (t[i]?.w === '.' && t[i + 2]?.w === '.' && isLetter(t[i + 1])));
  const out: ETok[] = [];
  let gap = false;
  t.forEach((x, i) => {
    if (chain(i)) {
      gap = true;
      return;
    }
    // A last "C." of "M. A. R. C." is the end of the spelling, not of a sentence.
    if (x.w === '.' && isLetter(t[i - 1]) && t[i - 2]?.w === '.' && !isLetter(t[i + 1]) && chain(i - 2)) {
      gap = true;
      return;
    }
    out.push(gap ? { ...x, gap: true } : x);
    gap = false;
  });
  return out;
}

function isNumberWord(w: string | undefined): boolean {
  return w !== undefined && /^[a-z]+$/.test(w) && wordsToNumber(w) !== null;
}

/** A written "." followed by a space ends a sentence, not an address part. */
function isSentenceDot(t: readonly ETok[], j: number): boolean {
  const cur = t[j];
  const next = t[j + 1];
  return cur?.w === '.' && (next === undefined || next.start > cur.end);
}

const isSep = (w: string | undefined) => w === '.' || w === '-' || w === '_' || (w !== undefined && DOT_WORDS.has(w)) || w === 'tiret' || w === 'underscore' || w === 'trait';
const isAt = (w: string | undefined) => w === '@' || (w !== undefined && AT_WORDS.has(w));

/** Top-level domains a spelled ending is cut back to ("point f r à bientôt" ends on "fr"). */
const SPELLED_TLDS = new Set(['fr', 'com', 'net', 'org', 'be', 'ch', 'mg', 're', 'eu', 'io', 'info', 'ca', 'de', 'uk', 'es', 'it', 'lu', 'ma', 'tn', 'sn', 'ci', 'biz', 'co', 'us', 'me']);

/**
 * One spelled letter at index j: "g", "g comme Gaston", "double v" (w), "i grec" (y). Returns the letter and the
 * index after it, or null.
 */
function spelledLetterAt(t: readonly ETok[], j: number): { letter: string; next: number } | null {
  const w = t[j]?.w;
  if (w === undefined) return null;
  if (w === 'double' && (t[j + 1]?.w === 'v' || t[j + 1]?.w === 'w')) return withComme(t, 'w', j + 2);
  if (w === 'i' && t[j + 1]?.w === 'grec') return withComme(t, 'y', j + 2);
  if (!/^[a-z]$/.test(w)) return null;
  return withComme(t, w, j + 1);
}

function withComme(t: readonly ETok[], letter: string, j: number): { letter: string; next: number } {
  // "g comme Gaston": the example word confirms the letter and is not part of the address.
  if (t[j]?.w === 'comme' && /^[a-z]+$/.test(t[j + 1]?.w ?? '')) return { letter, next: j + 2 };
  return { letter, next: j };
}

/** Reads the domain after the "@" at index i: labels joined by "point"/"." ending on a letter-only TLD. */
function readDomain(t: readonly ETok[], i: number): { domain: string; next: number; spelled: boolean } | null {
  const labels: string[] = [];
  let j = i;
  let label = '';
  /** The current label was spelled letter by letter; its letters' end indexes (to cut a spelled TLD back). */
  let spelledEnds: number[] = [];
  let anySpelled = false;
  for (;;) {
    const w = t[j]?.w;
    if (w === undefined || HESITATIONS.has(w)) {
      if (w !== undefined && label === '') {
        j++;
        continue;
      }
      break;
    }
    if (w === '.' && isSentenceDot(t, j)) break;
    if (w === '.' || DOT_WORDS.has(w)) {
      if (label === '') return null;
      labels.push(label);
      label = '';
      spelledEnds = [];
      j++;
      continue;
    }
    if (w === '-' || w === 'tiret') {
      if (label === '') return null;
      label += '-';
      spelledEnds = [];
      j++;
      continue;
    }
    // "g, m, a, i, l", "f r", "g comme Gaston": spelled letters make one label.
    const spelled = label === '' || spelledEnds.length > 0 ? spelledLetterAt(t, j) : null;
    if (spelled && (label === '' ? spelledLetterAt(t, spelled.next) !== null || t[spelled.next]?.w === 'comme' || spelled.next > j + 1 : true)) {
      label += spelled.letter;
      spelledEnds.push(spelled.next);
      anySpelled = true;
      j = spelled.next;
      continue;
    }
    if (!/^[a-z0-9]+$/.test(w) || w === '@' || AT_WORDS.has(w) && w !== 'at') break;
    if (label !== '' && !label.endsWith('-')) break; // a second bare word: the address has ended
    label += w;
    j++;
  }
  if (label !== '' && spelledEnds.length > 0 && labels.length > 0 && !SPELLED_TLDS.has(label)) {
    // A spelled top-level domain followed by a stray letter ("f r à demain"): keep the longest known TLD.
    let cut = label.length - 1;
    while (cut >= 2 && !SPELLED_TLDS.has(label.slice(0, cut))) cut--;
    if (cut >= 2) {
      j = spelledEnds[cut - 1] ?? j;
      label = label.slice(0, cut);
    }
  }
  if (label !== '') labels.push(label);
  else return null;
  if (labels.length < 2) return null;
  const tld = labels[labels.length - 1] ?? '';
  if (!/^[a-z]{2,24}$/.test(tld)) return null;
  return { domain: labels.join('.'), next: j, spelled: anySpelled };
}

/** Start index of the local part before the "@" at index m (see the glued-words rule in readLocal). */
function localStart(t: readonly ETok[], m: number): number {
  let s = m;
  for (let k = m - 1; k >= 0 && m - k <= 16; k--) {
    const w = t[k]?.w ?? '';
    if (HESITATIONS.has(w)) continue;
    if (w === '.' && isSentenceDot(t, k)) break;
    // A comma ends the local part, except between spelled letters ("h comme Hélène, e, r, y").
    if (t[k + 1]?.gap && k + 1 < m) {
      const single = (x: string | undefined) => x !== undefined && /^[a-z]$/.test(x);
      if (!(single(t[k + 1]?.w) && (single(w) || t[k - 1]?.w === 'comme'))) break;
    }
    // "tiret du huit" (_), "tiret du six" (-): the keys of a French keyboard.
    if (KEY_DIGITS.has(w) && t[k - 1]?.w === 'du' && t[k - 2]?.w === 'tiret') { s = k - 2; k -= 2; continue; }
    // "double v" (w), "i grec" (y): one spelled letter.
    if ((w === 'v' || w === 'w') && t[k - 1]?.w === 'double') { s = k - 1; k -= 1; continue; }
    if (w === 'grec' && t[k - 1]?.w === 'i') { s = k - 1; k -= 1; continue; }
    // "tiret bas", "tiret du bas", "trait d'union": take the whole separator phrase.
    if (w === 'bas' && t[k - 1]?.w === 'tiret') { s = k - 1; k -= 1; continue; }
    if (w === 'bas' && t[k - 1]?.w === 'du' && t[k - 2]?.w === 'tiret') { s = k - 2; k -= 2; continue; }
    if (w === 'union' && t[k - 1]?.w === 'd' && t[k - 2]?.w === 'trait') { s = k - 2; k -= 2; continue; }
    // "h comme Hélène": the letter and its example word.
    if (w === 'comme') {
      if (!/^[a-z]$/.test(t[k - 1]?.w ?? '')) break;
      s = k - 1;
      k -= 1;
      continue;
    }
    // A cue word ends the local part, unless it is spelled or joined by a separator ("a point b arobase …").
    if (LOCAL_STOP.has(w) && !(w.length === 1 && isSpelledRun(t, k)) && !isSep(t[k + 1]?.w)) break;
    if (!isSep(w) && !/^[a-z0-9]+$/.test(w)) break;
    const before = t[k + 1]?.w;
    const joined = isSep(w) || isSep(before) || before === 'tiret' || before === 'trait' || w.length === 1 || k === m - 1 || t[k - 1]?.w === 'comme';
    if (!joined && !isNumberish(w)) {
      // A bare word before another bare word: only part of the address when a cue ("mon email c'est …") comes
      // right before the whole chain.
      if (!cueBefore(t, k)) break;
    }
    s = k;
  }
  return s;
}

function isSpelledRun(t: readonly ETok[], k: number): boolean {
  // A letter next to another letter, or next to a "x comme Xavier" spelling.
  const near = t[k - 1]?.w.length === 1 || t[k + 1]?.w.length === 1 || t[k - 2]?.w === 'comme' || t[k + 1]?.w === 'comme';
  return near && /^[a-z]$/.test(t[k]?.w ?? '');
}

function isNumberish(w: string): boolean {
  return /^\d+$/.test(w) || wordsToNumber(w) !== null;
}

function cueBefore(t: readonly ETok[], k: number): boolean {
  for (let j = k - 1; j >= 0 && k - j <= 4; j--) {
    const w = t[j]?.w ?? '';
    if (HESITATIONS.has(w)) continue;
    if (['email', 'mail', 'mel', 'courriel', 'adresse', 'electronique', 'est'].includes(w)) return true;
    if (!/^[a-z]+$/.test(w) || LOCAL_STOP.has(w)) return false;
  }
  return false;
}

/** Builds the local part from tokens [s, m): spoken separators, "x comme xavier", number words, spelled letters. */
function readLocal(t: readonly ETok[], s: number, m: number): { local: string; uncertain: boolean } {
  let local = '';
  let uncertain = false;
  let prevWord = false;
  for (let k = s; k < m; k++) {
    const w = t[k]?.w ?? '';
    if (HESITATIONS.has(w)) continue;
    if (w === 'tiret' && t[k + 1]?.w === 'bas') {
      local += '_';
      k += 1;
      prevWord = false;
      continue;
    }
    if (w === 'tiret' && t[k + 1]?.w === 'du' && t[k + 2]?.w === 'bas') {
      local += '_';
      k += 2;
      prevWord = false;
      continue;
    }
    if (w === 'tiret' && t[k + 1]?.w === 'du' && KEY_DIGITS.has(t[k + 2]?.w ?? '')) {
      local += KEY_DIGITS.get(t[k + 2]?.w ?? '') ?? '';
      k += 2;
      prevWord = false;
      continue;
    }
    const letter = (w === 'double' && (t[k + 1]?.w === 'v' || t[k + 1]?.w === 'w')) || (w === 'i' && t[k + 1]?.w === 'grec') ? spelledLetterAt(t, k) : null;
    if (letter) {
      local += letter.letter;
      k = letter.next - 1;
      uncertain = true;
      prevWord = false;
      continue;
    }
    if (w === 'trait' && t[k + 1]?.w === 'd' && t[k + 2]?.w === 'union') {
      local += '-';
      k += 2;
      prevWord = false;
      continue;
    }
    if (w === '.' || DOT_WORDS.has(w)) { local += '.'; prevWord = false; continue; }
    if (w === '-' || w === 'tiret') { local += '-'; prevWord = false; continue; }
    if (w === '_' || w === 'underscore') { local += '_'; prevWord = false; continue; }
    if (w === '+') { local += '+'; prevWord = false; continue; }
    if (/^[a-z]$/.test(w) && t[k + 1]?.w === 'comme' && t[k + 2] !== undefined) {
      local += w;
      k += 2;
      uncertain = true;
      prevWord = false;
      continue;
    }
    // Number words ("soixante-quinze" → 75), longest phrase first.
    let consumed = 0;
    for (let len = Math.min(5, m - k); len >= 1; len--) {
      const phrase = t.slice(k, k + len).map((x) => x.w);
      if (phrase.some((x) => /[^a-z0-9]/.test(x))) continue;
      const v = /^\d+$/.test(phrase[0] ?? '') && len === 1 ? null : wordsToNumber(phrase.join(' '));
      if (v !== null && !(len === 1 && phrase[0] === 'un' && k + 1 < m)) {
        local += String(v);
        consumed = len;
        break;
      }
    }
    if (consumed > 0) {
      k += consumed - 1;
      prevWord = false;
      continue;
    }
    if (w.length === 1 && (t[k - 1]?.w.length === 1 || t[k + 1]?.w.length === 1)) uncertain = true; // spelled letters
    else if (prevWord) uncertain = true; // two words glued without a spoken separator
    local += w;
    prevWord = w.length > 1;
  }
  return { local: local.replace(/^[._-]+|[._-]+$/g, ''), uncertain };
}

/** Every e-mail address in the text, in order of appearance. */
export function findEmailsInText(text: string): EmailCandidate[] {
  const t = tokenizeEmail(text);
  const out: EmailCandidate[] = [];
  for (let m = 0; m < t.length; m++) {
    const chez = t[m]?.w === 'chez';
    if (!isAt(t[m]?.w) && !chez) continue;
    const dom = readDomain(t, m + 1);
    if (!dom) continue;
    if (chez && (!CHEZ_PROVIDERS.has(dom.domain.split('.')[0] ?? '') || CHEZ_NOT_AT.has(t[m - 1]?.w ?? ''))) continue;
    const s = localStart(t, m);
    if (s === m) continue;
    const { local, uncertain } = readLocal(t, s, m);
    const email = `${local}@${dom.domain}`;
    if (local === '' || !isValidEmail(email)) continue;
    const first = t[s];
    const last = t[dom.next - 1];
    if (!first || !last) continue;
    const span = text.slice(first.start, last.end);
    const written = !/\s/.test(span) && span.includes('@');
    out.push({ email, start: first.start, end: last.end, written, uncertain: !written && (uncertain || dom.spelled || t[m]?.w === 'at' || chez) });
    m = dom.next - 1;
  }
  return out;
}

/** The last e-mail address said or written in the text (a correction comes after the first try), or null. */
export function parseSpokenEmail(text: string): string | null {
  const all = findEmailsInText(text);
  return all[all.length - 1]?.email ?? null;
}

function squash(s: string): string {
  return normalizeText(s).replace(/ /g, '');
}

/**
 * True when the text supports this address: it reads to exactly this address, or (for a dictation read with other
 * separators) every letter and digit of the local part and of the domain name occurs in the text in that order
 * with the same top-level domain said. Used to reject an address an extraction model made up.
 */
export function textSupportsEmail(text: string, email: string): boolean {
  const e = email.trim().toLowerCase();
  if (!isValidEmail(e)) return false;
  const found = findEmailsInText(text);
  if (found.some((c) => c.email === e)) return true;
  const at = e.lastIndexOf('@');
  const local = squash(e.slice(0, at));
  const domainParts = e.slice(at + 1).split('.');
  const tld = domainParts[domainParts.length - 1] ?? '';
  const domainName = squash(domainParts.slice(0, -1).join(''));
  const said = normalizeText(text)
    .split(' ')
    .filter((x) => !AT_WORDS.has(x) && !DOT_WORDS.has(x) && x !== 'chez' && x !== 'tiret' && x !== 'underscore' && x !== 'bas' && !HESITATIONS.has(x));
  const glued = said.join('');
  const li = glued.indexOf(local);
  if (local === '' || li < 0) return false;
  const di = glued.indexOf(domainName, li + local.length);
  if (domainName === '' || di < 0) return false;
  return said.includes(tld);
}

/** Read-back form of an address: "lina.r@exemple.com" → "lina point r arobase exemple point com". */
export function speakEmail(email: string): string {
  return email
    .trim()
    .toLowerCase()
    .replace(/@/g, ' arobase ')
    .replace(/\./g, ' point ')
    .replace(/_/g, ' tiret du bas ')
    .replace(/-/g, ' tiret ')
    .replace(/\+/g, ' plus ')
    .replace(/\s+/g, ' ')
    .trim();
}
