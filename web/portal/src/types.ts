/** What the API answers (api/routes/web-session.ts, PortalView): the session's view, shaped for a screen. */
export interface Appointment {
  id: number;
  start: string;
  stop: string;
  mode: 'home' | 'video' | 'clinic';
  location: string | null;
  state: 'pending' | 'confirmed' | 'cancelled' | 'tentative';
  voice_label: string;
}

export interface Slot {
  id: string;
  start: string;
  stop: string;
  mode: 'home' | 'video' | 'clinic';
  voice_label: string;
}

export interface Choice {
  id: string;
  label: string;
}

export interface PortalView {
  state: string;
  screen: string | null;
  prompts: string[];
  lastPrompt: string | null;
  choices: Choice[];
  collect: { mode: string; length?: number } | null;
  turn: number;
  ended: { outcome: string; state: string } | null;
  appointments: unknown[] | null;
  selectedAppointmentId: unknown;
  slots: unknown[] | null;
  missed?: { count: number; max: number | null } | null;
}

export interface ApiErrorBody {
  error?: { code?: string; message?: string; reason?: string; view?: PortalView };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The API's answer is outside input: check its shape before a screen trusts it. */
export function asView(v: unknown): PortalView | null {
  if (!isObject(v) || typeof v.state !== 'string' || !Array.isArray(v.prompts) || !Array.isArray(v.choices) || typeof v.turn !== 'number') return null;
  return v as unknown as PortalView;
}

export function asAppointments(list: unknown[] | null): Appointment[] {
  return (list ?? []).filter((a): a is Appointment => isObject(a) && typeof a.id === 'number' && typeof a.start === 'string' && typeof a.voice_label === 'string');
}

export function asSlots(list: unknown[] | null): Slot[] {
  return (list ?? []).filter((s): s is Slot => isObject(s) && typeof s.id === 'string' && typeof s.start === 'string' && typeof s.voice_label === 'string');
}
