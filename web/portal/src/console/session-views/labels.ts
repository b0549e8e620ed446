/** French wording of what the console's session routes answer in codes. */
const GOALS: Record<string, string> = { reached: 'atteint', not_reached: 'non atteint', unknown: 'inconnu' };
const STATUSES: Record<string, string> = {
  running: 'en cours', completed: 'terminée', failed: 'en échec', canceled: 'annulée', terminated: 'arrêtée', continued_as_new: 'continuée', timed_out: 'expirée',
};
const CHANNELS: Record<string, string> = { voice: 'téléphone', web: 'portail' };
const HEARD: Record<string, string> = {
  dtmf: 'touches', speech: 'parole', text: 'saisie', audio: 'enregistrement', noinput: 'silence', timeout: 'silence (délai écoulé)', hangup: 'raccroché',
};

export const goalLabel = (g: string | null): string => (g ? (GOALS[g] ?? g) : '—');
export const statusLabel = (s: string): string => STATUSES[s] ?? s;
export const channelLabel = (c: string | null): string => (c ? (CHANNELS[c] ?? c) : '—');
export const heardKindLabel = (k: string): string => HEARD[k] ?? k;

/** `route:book` → « choix book », `collected:phone` → « valeur phone », the counters in words. */
export function resultLabel(result: string): string {
  if (result.startsWith('route:')) return `choix « ${result.slice(6)} »`;
  if (result.startsWith('collected:')) return `valeur ${result.slice(10)} saisie`;
  const words: Record<string, string> = { noinput: 'rien entendu', nomatch: 'pas compris', invalid: 'valeur invalide', hangup: 'raccroché', ignored: 'ignoré' };
  return words[result] ?? result;
}

export function dateTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'medium' });
}

/** The time of day only (the session page gives the date once, in its facts). */
export function timeOf(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function duration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1).replace('.', ',')} s`;
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)} %`;
}
