/** French words for what the session names in its own terms (screens, modes, states); never journey logic. */
export const SCREEN_TITLES: Record<string, string> = {
  C0: 'Accueil',
  C1: 'Connexion',
  C2: 'Mes rendez-vous',
  C3: 'Détail du rendez-vous',
  C4: 'Créneaux proposés',
  C5: 'Vos préférences',
  C6: 'Annulation',
  C7: 'Confirmation',
};

export const MODE_LABELS: Record<string, string> = { home: 'À domicile', video: 'En visio', clinic: 'Au cabinet' };
export const STATE_LABELS: Record<string, string> = { pending: 'À confirmer', confirmed: 'Confirmé', cancelled: 'Annulé', tentative: 'Provisoire' };

export const OUTCOME_TEXT: Record<string, string> = {
  completed: 'Votre session est terminée. Merci !',
  handoff: 'Un conseiller va prendre le relais.',
  hangup: 'Votre session est terminée.',
  noinput_exhausted: 'Votre session s’est arrêtée faute de réponse.',
  error: 'Une erreur est survenue ; votre session s’est arrêtée.',
};

/** A choice's label as a button: the session's own words, with a capital. */
export function buttonText(label: string): string {
  return label.length ? label[0]!.toLocaleUpperCase('fr-FR') + label.slice(1) : label;
}

const DATE = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });

export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : DATE.format(d);
}
