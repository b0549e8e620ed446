/**
 * Workflow used by test/french/workflow-sandbox.test.ts: runs every French parser inside Temporal's workflow
 * sandbox, proving they bundle without Node modules and run deterministically there.
 */
import { parseSpokenConsents } from '../../../lib/french/consent';
import { parseDateWindow } from '../../../lib/french/dates';
import { extractContact } from '../../../lib/french/contact';
import { parseSpokenEmail, speakEmail, speakPhone } from '../../../lib/french/email';
import { containsWords, normalizeText } from '../../../lib/french/normalize';
import { parseSpokenDigits } from '../../../lib/french/numbers';
import { parsePhone } from '../../../lib/french/phone';
import { isNo, isYes } from '../../../lib/french/yesno';

export interface FrenchParsingInput {
  phone: string;
  date: string;
  nowIso: string;
  timezone: string;
  yes: string;
  no: string;
  email: string;
  dictation: string;
  otp: string;
  consent: string;
}

export async function frenchParsingWorkflow(input: FrenchParsingInput) {
  return {
    phone: parsePhone(input.phone),
    window: parseDateWindow(input.date, input.nowIso, input.timezone),
    yes: isYes(input.yes),
    no: isNo(input.no),
    email: parseSpokenEmail(input.email),
    contact: extractContact(input.dictation),
    otp: parseSpokenDigits(input.otp),
    consents: parseSpokenConsents(input.consent),
    spokenEmail: speakEmail('lina@exemple.com'),
    spokenPhone: speakPhone('+261321234567'),
    normalized: normalizeText('Rendez-Vous'),
    contains: containsWords('je veux un rendez vous', 'rendez vous'),
  };
}
