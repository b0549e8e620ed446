/**
 * Text normalization shared by every French input parser and by the engine's intent matching.
 *
 * Pure and deterministic (runs inside Temporal workflow code): no Node imports, no clock, no locale lookups.
 */

/** Combining diacritical marks left by NFD decomposition ("é" → "e" + U+0301). */
const COMBINING_MARKS = /[\u0300-\u036f]/g;

/**
 * Lower case, accents stripped, every character that is not a letter or a digit (apostrophes, hyphens,
 * punctuation, symbols) turned into a space, spaces collapsed, trimmed.
 * "J’ai un Rendez-vous !" → "j ai un rendez vous".
 */
export function normalizeText(s: string): string {
  return s
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Splits an already normalized string into its words ("" → []). */
export function words(normalized: string): string[] {
  return normalized === '' ? [] : normalized.split(' ');
}

/**
 * True when `needleNormalized` occurs in `haystackNormalized` as whole words ("non" is in "non merci" but not in
 * "nonante"). Both arguments must already be normalized; an empty needle never matches.
 */
export function containsWords(haystackNormalized: string, needleNormalized: string): boolean {
  if (needleNormalized === '' || haystackNormalized === '') return false;
  return ` ${haystackNormalized} `.includes(` ${needleNormalized} `);
}

/** Index (in words) of every whole-word occurrence of `needle` in `haystack`, both given as word arrays. */
export function findWordSequence(haystack: readonly string[], needle: readonly string[], from = 0): number[] {
  const hits: number[] = [];
  if (needle.length === 0) return hits;
  for (let i = Math.max(0, from); i + needle.length <= haystack.length; i++) {
    let ok = true;
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        ok = false;
        break;
      }
    }
    if (ok) hits.push(i);
  }
  return hits;
}

/** Hesitations and fillers a speech-to-text engine keeps in French transcripts. */
export const HESITATIONS: ReadonlySet<string> = new Set([
  'euh', 'euhh', 'euuh', 'heu', 'heuu', 'hum', 'hmm', 'hm', 'mmh', 'mh', 'bah', 'ben', 'beh', 'bon', 'ah', 'oh', 'eh',
]);
