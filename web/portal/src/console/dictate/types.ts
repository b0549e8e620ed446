/** What /crm/voice-contacts (dry_run) and /crm/text-contacts answer, as the dictation page reads them. */
export type ContactField = 'firstname' | 'lastname' | 'email' | 'phone';

export interface ContactValues {
  firstname: string | null;
  lastname: string | null;
  email: string | null;
  phone: string | null;
}

export interface DraftAnswer {
  dry_run: true;
  contact: ContactValues & { needs_check: ContactField[] };
  needs_check: ContactField[];
  missing: Array<'name' | 'email_or_phone'>;
  phone_from_caller: boolean;
  dropped?: ContactField[];
  consents?: Array<{ channel: 'whatsapp' | 'sms'; granted: boolean }>;
  transcript?: string;
}

export interface CaptureAnswer {
  capture_id: string;
  contact: ContactValues & { needs_check: ContactField[] };
  partner: { id: number; created: boolean; matched_by: 'email' | 'phone' | null } | null;
  lead: { id: number; created: boolean; updated: boolean } | null;
  consents: Array<{ channel: 'whatsapp' | 'sms'; granted: boolean; source: 'speech' | 'request' }>;
}

export const FIELD_LABELS: Record<ContactField, string> = {
  firstname: 'Prénom',
  lastname: 'Nom',
  email: 'E-mail',
  phone: 'Téléphone',
};

export const FIELDS: ContactField[] = ['firstname', 'lastname', 'email', 'phone'];
