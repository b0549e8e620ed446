/**
 * Spoken French numbers → digits, as a caller dictates a phone number, a code or a date.
 *
 * A caller groups digits as they like ("zéro six, douze, trente-quatre…", "zéro six un deux…", "06 12 trente-quatre
 * 56 78"), so each number phrase keeps its own digits (leading zeros and grouping as said) and the phrases are
 * concatenated. French compounds are read greedily ("deux cent soixante et un" → 261, then "trente-deux" → 32),
 * with Belgian/Swiss tens (septante, huitante, octante, nonante) accepted.
 *
 * Pure and deterministic: no Node imports, safe in Temporal workflow code.
 */
import { HESITATIONS, normalizeText } from './normalize';

/** One word of the input with its offsets in the original string. `w` is normalized ("Zéro" → "zero"). */
export interface Token {
  w: string;
  start: number;
  end: number;
  /** Punctuation (a pause in a transcript) comes right before this word: no compound number spans it. */
  pause?: boolean;
}

/** One number phrase read from the input. `digits` keeps leading zeros ("06", "0"); words [from, to) in tokens. */
export interface NumberPhrase {
  digits: string;
  from: number;
  to: number;
  /** True when the phrase was written in digits rather than spoken in words. */
  written: boolean;
  /**
   * Another grouping of a hundreds phrase, for a caller who says digits in groups: "cinq cent vingt-trois" is 523 or
   * "5" then "123" ("zéro cinq, cent vingt-trois"). Absent for other phrases.
   */
  split?: [string, string];
  /** "deux cents" said as a whole phrase: it may be the start of "deux cents soixante et un" (261), said wrongly. */
  joinable?: boolean;
}

/** A run of number phrases separated only by hesitations; `plus` when "+" or "plus" comes right before it. */
export interface NumberRun {
  phrases: NumberPhrase[];
  plus: boolean;
  /** Token index where the run starts ("plus" included) and ends (exclusive). */
  from: number;
  to: number;
}

const UNITS: Readonly<Record<string, number>> = {
  un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, six: 6, sept: 7, huit: 8, neuf: 9,
};
const TEENS: Readonly<Record<string, number>> = {
  dix: 10, onze: 11, douze: 12, treize: 13, quatorze: 14, quinze: 15, seize: 16,
};
const TENS: Readonly<Record<string, number>> = {
  vingt: 20, vingts: 20, trente: 30, quarante: 40, cinquante: 50, soixante: 60,
  septante: 70, octante: 80, huitante: 80, nonante: 90,
};

/** Words that can start or continue a number phrase (used to tell runs apart). */
export function isNumberWord(w: string): boolean {
  return (
    w in UNITS || w in TEENS || w in TENS || w === 'zero' || w === 'cent' || w === 'cents' || w === 'mille' ||
    /^\d+$/.test(w)
  );
}

/** Splits raw text into normalized words with offsets; "+" is kept as its own token, hyphens split compounds. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\+|[\p{L}\p{M}\p{N}]+|[,;:.!?…]/gu;
  let pause = false;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const raw = m[0];
    if (/^[,;:.!?…]$/.test(raw)) {
      pause = true;
      continue;
    }
    if (raw === '+') {
      out.push({ w: '+', start: m.index, end: m.index + 1, pause });
      pause = false;
      continue;
    }
    const w = normalizeText(raw).replace(/ /g, '');
    if (w !== '') out.push({ w, start: m.index, end: m.index + raw.length, pause });
    pause = false;
  }
  return out;
}

interface Parsed {
  value: number;
  next: number;
}

function at(toks: readonly Token[], i: number): string | undefined {
  return toks[i]?.w;
}

/** The word at j when it continues the phrase (no pause before it), else undefined. */
function cont(toks: readonly Token[], j: number): string | undefined {
  const t = toks[j];
  return t && !t.pause ? t.w : undefined;
}

/** 10–19: "dix", "onze"…"seize", "dix-sept"…"dix-neuf". */
function parseTeen(toks: readonly Token[], i: number): Parsed | null {
  const w = at(toks, i);
  if (w === undefined) return null;
  if (w === 'dix') {
    const n = cont(toks, i + 1);
    if (n === 'sept' || n === 'huit' || n === 'neuf') return { value: 10 + (UNITS[n] ?? 0), next: i + 2 };
    return { value: 10, next: i + 1 };
  }
  const t = TEENS[w];
  return t === undefined ? null : { value: t, next: i + 1 };
}

/** 1–99 in words. */
function parseBelow100(toks: readonly Token[], i: number): Parsed | null {
  const w = at(toks, i);
  if (w === undefined) return null;
  // 80–99: "quatre-vingt(s)", "quatre-vingt-un", "quatre-vingt-dix-neuf".
  if (w === 'quatre' && (cont(toks, i + 1) === 'vingt' || cont(toks, i + 1) === 'vingts')) {
    const j = i + 2;
    const teen = toks[j]?.pause ? null : parseTeen(toks, j);
    if (teen) return { value: 80 + teen.value, next: teen.next };
    if (cont(toks, j) === 'et' && (cont(toks, j + 1) === 'un' || cont(toks, j + 1) === 'une')) return { value: 81, next: j + 2 };
    const u = UNITS[cont(toks, j) ?? ''];
    if (u !== undefined) return { value: 80 + u, next: j + 1 };
    return { value: 80, next: j };
  }
  const tens = TENS[w];
  if (tens !== undefined) {
    const j = i + 1;
    if (w === 'soixante') {
      // 70–79: "soixante-dix", "soixante et onze", "soixante-douze".
      const k = cont(toks, j) === 'et' && cont(toks, j + 1) === 'onze' ? j + 1 : j;
      const teen = toks[k]?.pause ? null : parseTeen(toks, k);
      if (teen) return { value: 60 + teen.value, next: teen.next };
    }
    if (cont(toks, j) === 'et' && (cont(toks, j + 1) === 'un' || cont(toks, j + 1) === 'une')) {
      return { value: tens + 1, next: j + 2 };
    }
    const u = UNITS[cont(toks, j) ?? ''];
    if (u !== undefined) return { value: tens + u, next: j + 1 };
    return { value: tens, next: j };
  }
  const teen = parseTeen(toks, i);
  if (teen) return teen;
  const u = UNITS[w];
  return u === undefined ? null : { value: u, next: i + 1 };
}

/** 1–999 in words: "cent", "deux cents", "cinq cent soixante-sept". */
function parseBelow1000(toks: readonly Token[], i: number): Parsed | null {
  const w = at(toks, i);
  if (w === undefined) return null;
  let hundreds = -1;
  let j = i;
  const u = UNITS[w];
  const n = cont(toks, i + 1);
  if (u !== undefined && u >= 2 && (n === 'cent' || n === 'cents')) {
    hundreds = u * 100;
    j = i + 2;
  } else if (w === 'cent') {
    hundreds = 100;
    j = i + 1;
  }
  if (hundreds < 0) return parseBelow100(toks, i);
  if (w !== 'cent' && n === 'cents') return { value: hundreds, next: j }; // "cents" ends the number
  const rest = toks[j]?.pause ? null : parseBelow100(toks, j);
  return rest ? { value: hundreds + rest.value, next: rest.next } : { value: hundreds, next: j };
}

/** A whole number phrase in words, up to 999 999 ("mille", "deux mille vingt-six"). */
function parseWords(toks: readonly Token[], i: number): Parsed | null {
  if (at(toks, i) === 'mille') {
    const rest = toks[i + 1]?.pause ? null : parseBelow1000(toks, i + 1);
    return rest ? { value: 1000 + rest.value, next: rest.next } : { value: 1000, next: i + 1 };
  }
  const first = parseBelow1000(toks, i);
  if (!first) return null;
  if (cont(toks, first.next) === 'mille' && first.value > 1) {
    const rest = toks[first.next + 1]?.pause ? null : parseBelow1000(toks, first.next + 1);
    return rest
      ? { value: first.value * 1000 + rest.value, next: rest.next }
      : { value: first.value * 1000, next: first.next + 1 };
  }
  return first;
}

/** Reads one number phrase starting at token i (digits, "zéro", "double zéro", words). */
function readPhrase(toks: readonly Token[], i: number): NumberPhrase | null {
  const w = at(toks, i);
  if (w === undefined) return null;
  if (/^\d+$/.test(w)) return { digits: w, from: i, to: i + 1, written: true };
  if (w === 'zero') return { digits: '0', from: i, to: i + 1, written: false };
  if (w === 'double' || w === 'triple') {
    const inner = readPhrase(toks, i + 1);
    if (inner && !inner.written) {
      return { digits: inner.digits.repeat(w === 'double' ? 2 : 3), from: i, to: inner.to, written: false };
    }
    return null;
  }
  const p = parseWords(toks, i);
  if (!p) return null;
  const phrase: NumberPhrase = { digits: String(p.value), from: i, to: p.next, written: false };
  const u = UNITS[w];
  const hundredWord = at(toks, i + 1);
  if (u !== undefined && u >= 2 && (hundredWord === 'cent' || hundredWord === 'cents') && p.value < 1000 && p.next - i >= 2) {
    phrase.split = [String(u), String(p.value - u * 100 + 100)];
    if (hundredWord === 'cents' && p.next === i + 2 && toks[p.next] && !toks[p.next]?.pause) phrase.joinable = true;
  }
  return phrase;
}

/**
 * Every way to read a run's digits, the greedy reading first: hundreds phrases split in two ("cinq cent
 * vingt-trois" → "5" "123") or joined with the tens said after "cents" ("deux cents soixante et un" → "261").
 * At most `limit` readings, in a fixed order.
 */
export function runReadings(run: NumberRun, limit = 64): string[] {
  const out: string[] = [];
  const ps = run.phrases;
  const walk = (i: number, acc: string) => {
    if (out.length >= limit) return;
    const p = ps[i];
    if (!p) {
      if (!out.includes(acc)) out.push(acc);
      return;
    }
    walk(i + 1, acc + p.digits);
    if (p.split) walk(i + 1, acc + p.split[0] + p.split[1]);
    const q = ps[i + 1];
    if (p.joinable && q && !q.written && q.from === p.to && Number(q.digits) < 100 && !q.digits.startsWith('0')) {
      walk(i + 2, acc + String(Number(p.digits) + Number(q.digits)));
    }
  };
  walk(0, '');
  return out;
}

/** Every run of number phrases in the tokens, in order. A lone "un"/"une" before a word is an article, not 1. */
export function readNumberRuns(toks: readonly Token[]): NumberRun[] {
  const runs: NumberRun[] = [];
  let current: NumberRun | null = null;
  let i = 0;
  while (i < toks.length) {
    const phrase = readPhrase(toks, i);
    if (phrase) {
      if (!current) {
        const prev = at(toks, i - 1);
        const plus = prev === '+' || prev === 'plus';
        current = { phrases: [], plus, from: plus ? i - 1 : i, to: i };
      }
      current.phrases.push(phrase);
      current.to = phrase.to;
      i = phrase.to;
      continue;
    }
    const w = at(toks, i) ?? '';
    if (current && HESITATIONS.has(w)) {
      i++;
      continue; // a hesitation inside a dictated number does not end it
    }
    if (current) {
      runs.push(current);
      current = null;
    }
    i++;
  }
  if (current) runs.push(current);
  return runs.filter((r) => !isLoneArticle(toks, r));
}

function isLoneArticle(toks: readonly Token[], run: NumberRun): boolean {
  if (run.phrases.length !== 1 || run.plus) return false;
  const p = run.phrases[0];
  if (!p || p.to - p.from !== 1) return false;
  const w = at(toks, p.from);
  if (w !== 'un' && w !== 'une') return false;
  const next = at(toks, p.to);
  return next !== undefined && !HESITATIONS.has(next);
}

/** Digits of a run, concatenated as said. */
export function runDigits(run: NumberRun): string {
  return run.phrases.map((p) => p.digits).join('');
}

/**
 * Every number in the text as one digit string, leading zeros and grouping kept as said:
 * "zéro six douze trente-quatre cinquante-six soixante-dix-huit" → "0612345678". Null when there is no number.
 * A leading "plus" is not a digit and is dropped (see parsePhone for international numbers).
 */
export function parseSpokenDigits(text: string): string | null {
  const runs = readNumberRuns(tokenize(text));
  if (runs.length === 0) return null;
  return runs.map(runDigits).join('');
}

/**
 * One French number phrase in words (or digits) → its value: "quatre-vingt-dix-neuf" → 99, "soixante et onze" → 71.
 * Null unless the whole input (hesitations aside) is exactly one number phrase.
 */
export function wordsToNumber(words: string): number | null {
  const toks = tokenize(words).filter((t) => !HESITATIONS.has(t.w));
  if (toks.length === 0) return null;
  if (toks.length === 1 && /^\d+$/.test(toks[0]?.w ?? '')) return Number(toks[0]?.w);
  if (toks.length === 1 && toks[0]?.w === 'zero') return 0;
  const p = parseWords(toks, 0);
  return p && p.next === toks.length ? p.value : null;
}
