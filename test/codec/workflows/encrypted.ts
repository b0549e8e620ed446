// Workflows for the payload-encryption end-to-end test: personal data goes in, through an activity, and out.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';

export interface CallerInput {
  phone: string;
  name: string;
}

export interface ContactActivities {
  lookupContact(phone: string): Promise<{ email: string }>;
}

const { lookupContact } = proxyActivities<ContactActivities>({ startToCloseTimeout: '10 seconds' });

export async function confirmCaller(input: CallerInput): Promise<string> {
  const contact = await lookupContact(input.phone);
  return `Rendez-vous confirmé pour ${input.name} (${contact.email})`;
}

/** Fails with personal data in the message, as a careless error message would. */
export async function failForCaller(input: CallerInput): Promise<string> {
  throw ApplicationFailure.nonRetryable(`numéro ${input.phone} injoignable`, 'Unreachable');
}
