/**
 * French text meant to be spoken by TTS (and shown on the portal): dates and times in the practice's zone,
 * "9h" rather than "09:00", "1er" for the first of the month, and the 0 / 1 / many cases of a list.
 */
import { DateTime } from 'luxon';

export type Mode = 'home' | 'video' | 'clinic';
export type ApptState = 'pending' | 'confirmed' | 'cancelled' | 'tentative';

export const MODE_PHRASE: Record<Mode, string> = { home: 'à domicile', video: 'en visio', clinic: 'au cabinet' };

const ORDINALS = ['Premier', 'Deuxième', 'Troisième', 'Quatrième', 'Cinquième', 'Sixième', 'Septième', 'Huitième', 'Neuvième', 'Dixième'];

/** "9h", "14h30" */
export function spokenTime(d: Date, zone: string): string {
  const t = DateTime.fromJSDate(d, { zone });
  return t.minute === 0 ? `${t.hour}h` : `${t.hour}h${String(t.minute).padStart(2, '0')}`;
}

/** "mardi 4 mars", "samedi 1er mars" */
export function spokenDay(d: Date, zone: string): string {
  const t = DateTime.fromJSDate(d, { zone }).setLocale('fr');
  return `${t.toFormat('cccc')} ${t.day === 1 ? '1er' : String(t.day)} ${t.toFormat('LLLL')}`;
}

/** "mardi 4 mars à 9h, à domicile" */
export function slotLabel(start: Date, mode: Mode, zone: string): string {
  return `${spokenDay(start, zone)} à ${spokenTime(start, zone)}, ${MODE_PHRASE[mode]}`;
}

const STATE_PHRASE: Record<ApptState, string> = {
  pending: 'en attente de votre confirmation',
  confirmed: 'confirmé',
  cancelled: 'annulé',
  tentative: 'à confirmer',
};

export interface VoiceAppointment {
  start: Date;
  mode: Mode;
  state: ApptState;
}

/** Summary of a list of appointments for one scope. */
export function summaryVoice(list: VoiceAppointment[], scope: 'upcoming' | 'past', zone: string): string {
  if (list.length === 0) return scope === 'upcoming' ? "Vous n'avez aucun rendez-vous à venir." : "Vous n'avez aucun rendez-vous passé.";
  if (list.length === 1) return `Vous avez un rendez-vous : ${slotLabel(list[0]!.start, list[0]!.mode, zone)}.`;
  const spoken = list.slice(0, ORDINALS.length).map((a, i) => `${ORDINALS[i]} : ${slotLabel(a.start, a.mode, zone)}.`);
  const rest = list.length - spoken.length;
  return [`Vous avez ${list.length} rendez-vous.`, ...spoken, ...(rest > 0 ? [`Et ${rest} autres.`] : [])].join(' ');
}

/** The detail of one appointment: when, where, and its state. */
export function voiceDetail(a: VoiceAppointment & { stop: Date }, zone: string, now: Date): string {
  const past = a.stop.getTime() < now.getTime();
  const minutes = Math.round((a.stop.getTime() - a.start.getTime()) / 60_000);
  const duration = minutes === 60 ? "d'une heure" : minutes % 60 === 0 ? `de ${minutes / 60} heures` : `de ${minutes} minutes`;
  const head = `Votre rendez-vous du ${slotLabel(a.start, a.mode, zone)}, d'une durée ${duration}`;
  return past ? `${head}, a eu lieu.` : `${head}, est ${STATE_PHRASE[a.state]}.`;
}
