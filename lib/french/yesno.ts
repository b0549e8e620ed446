/**
 * Yes / no answers in French. Phrases are matched as whole words on normalized text ("non" is not in "nonante"),
 * a longer phrase beats the shorter one it contains ("pas d'accord" is a no, not the yes "d'accord"), and when both
 * kinds are said the last one wins, as a caller corrects themself ("non… enfin si, oui").
 *
 * Pure: no Node imports (used by the engine inside workflow code).
 */
import { normalizeText, words } from './normalize';

const YES = [
  'oui', 'ouais', 'ouai', 'ouaip', 'ouep', 'yes', 'mais si', 'si si', 'ok', 'okay', 'okey', 'd accord', 'dac', 'entendu', 'exact',
  'exactement', 'c est exact', 'c est correct', 'correct', 'c est ca', 'c est bien ca', 'tout a fait',
  'absolument', 'bien sur', 'volontiers', 'parfait', 'certainement', 'evidemment', 'affirmatif', 'je confirme',
  'c est bon', 'ca marche', 'en effet', 'effectivement', 'j accepte', 'avec plaisir', 'carrement',
  'bien entendu', 'c est juste', 'oui oui', 'si', 'voila',
];
const NO = [
  'non', 'nan', 'no', 'non merci', 'pas du tout', 'c est faux', 'faux', 'incorrect', 'c est incorrect',
  'pas d accord', 'absolument pas', 'certainement pas', 'surtout pas', 'jamais', 'pas question', 'hors de question',
  'negatif', 'je refuse', 'ce n est pas ca', 'c est pas ca', 'ce n est pas correct', 'c est pas correct',
  'pas correct', 'pas exactement', 'pas vraiment', 'ce n est pas bon', 'c est pas bon', 'pas ca', 'je n accepte pas',
  'je ne confirme pas', 'ce n est pas exact', 'c est pas exact', 'ce n est pas juste', 'c est pas juste',
  'pas juste', 'pas exact', 'pas bon', 'erreur', 'c est une erreur', 'pas tout a fait',
];

type Polarity = 'yes' | 'no';

/** Words that answer yes only as a short reply: "si" and "voilà" are also a conjunction and a filler. */
const SHORT_ONLY_YES = new Set(['si', 'voila']);
const SHORT_REPLY_WORDS = 3;

const PHRASES: ReadonlyArray<{ w: string[]; p: Polarity }> = [
  ...YES.map((s) => ({ w: s.split(' '), p: 'yes' as const })),
  ...NO.map((s) => ({ w: s.split(' '), p: 'no' as const })),
].sort((a, b) => b.w.length - a.w.length);

/**
 * 'yes', 'no' or null (neither, e.g. empty text or only hesitations). At each word the longest phrase starting
 * there is taken; a phrase inside a longer one already taken is skipped; the last phrase said decides.
 */
export function yesNo(text: string): Polarity | null {
  const w = words(normalizeText(text));
  let last: Polarity | null = null;
  let coveredUntil = 0;
  for (let i = 0; i < w.length; i++) {
    if (i < coveredUntil) continue;
    const hit = PHRASES.find(
      (ph) => ph.w.every((x, j) => w[i + j] === x) && !(ph.w.length === 1 && SHORT_ONLY_YES.has(ph.w[0] ?? '') && w.length > SHORT_REPLY_WORDS),
    );
    if (!hit) continue;
    last = hit.p;
    coveredUntil = i + hit.w.length;
  }
  return last;
}

/** True for an affirmative answer ("oui", "ouais", "d'accord", "c'est correct", "exactement"…). */
export function isYes(text: string): boolean {
  return yesNo(text) === 'yes';
}

/** True for a negative answer ("non", "pas du tout", "non merci", "c'est faux"…). */
export function isNo(text: string): boolean {
  return yesNo(text) === 'no';
}
