/**
 * The code sends of portal sessions reach the API from the session worker, yet count against the browser's
 * address (the one the portal saw), never the worker's: one address across two portal sessions hits the per-address
 * limit while another address still gets its code; a caller naming a session without the worker's credential counts
 * as itself; and a number's limit counts the portal's sends and the phone's alike.
 */
import type { LocalStack } from '../../stack/local-stack';
import { PortalClient, startPortalStack, type PortalReply } from './support';

jest.setTimeout(180_000);

let stack: LocalStack;

beforeAll(async () => {
  // The API trusts its loopback proxy (TRUST_PROXY): X-Forwarded-For names each browser's address.
  stack = await startPortalStack('otp-limits', { RATE_OTP_PER_IP: '3', RATE_OTP_PER_PHONE: '3', TRUST_PROXY: 'loopback' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const from = (address: string) => new PortalClient(stack.apiUrl, { 'x-forwarded-for': address });

/** Opens the portal and types the number: the session sends a code (verify screen) or could not (fail menu). */
async function askCode(browser: PortalClient, phone: string): Promise<string> {
  await browser.start();
  await browser.choose('take_appointment');
  const r = await browser.type(phone);
  expect(r.status).toBe(200);
  return r.body.view.state as string;
}

/** "renvoyer" on the code screen: the session asks for a new code. */
async function resend(browser: PortalClient): Promise<string> {
  const r = await browser.type('renvoyer');
  expect(r.status).toBe(200);
  return r.body.view.state as string;
}

const smsTo = (digits: string) => stack.brevoSim!.outbox.filter((m) => m.channel === 'sms' && m.to.some((t) => t.replace(/\D/g, '').endsWith(digits.slice(1)))).length;

function requestOtp(phone: string, headers: Record<string, string>): Promise<PortalReply> {
  return fetch(`${stack.apiUrl}/auth/request-otp`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ phone_e164: phone }),
  }).then(async (res) => ({ status: res.status, body: await res.json(), headers: res.headers }));
}

test('one browser address across two portal sessions hits the per-address limit; another address does not', async () => {
  const a = from('203.0.113.7');
  expect(await askCode(a, '06 11 11 11 01')).toBe('ivr.auth.verify_otp');
  expect(await resend(a)).toBe('ivr.auth.verify_otp');
  const b = from('203.0.113.7');
  expect(await askCode(b, '06 11 11 11 02')).toBe('ivr.auth.verify_otp');
  // The fourth send from that address (limit 3) is refused: the machine's on_fail, no SMS.
  expect(await resend(b)).toBe('ivr.auth.request_otp.fail_menu');
  expect(smsTo('0611111101') + smsTo('0611111102')).toBe(3);
  // Every send came from the same worker: another browser is not affected.
  const c = from('198.51.100.9');
  expect(await askCode(c, '06 11 11 11 03')).toBe('ivr.auth.verify_otp');
  expect(smsTo('0611111103')).toBe(1);

  // Naming a portal session without the worker's credential changes nothing: the caller counts as itself.
  const workflowId = `web-${a.cookie.split('=')[1]!.split('.')[0]}`;
  const forged = { 'x-care-session': workflowId, 'x-care-service-token': `op_${'x'.repeat(43)}` };
  const elsewhere = await requestOtp('+33611111104', { ...forged, 'x-forwarded-for': '192.0.2.44' });
  expect(elsewhere.status).toBe(200);
  const same = await requestOtp('+33611111105', { ...forged, 'x-forwarded-for': '203.0.113.7' });
  expect(same.status).toBe(429);
  expect(same.body.error.code).toBe('rate_limited');
});

test("a number's limit counts the portal's sends and the phone's alike", async () => {
  const portal = from('198.51.100.21');
  expect(await askCode(portal, '06 22 22 22 01')).toBe('ivr.auth.verify_otp');
  expect(await resend(portal)).toBe('ivr.auth.verify_otp');
  // The route the phone's machine calls, for the same number (from another address): the third send of the number.
  expect((await requestOtp('+33622222201', { 'x-forwarded-for': '198.51.100.22' })).status).toBe(200);
  const fourth = await requestOtp('+33622222201', { 'x-forwarded-for': '198.51.100.23' });
  expect(fourth.status).toBe(429);
  // And the portal, from a fresh address, is refused for that number too.
  expect(await askCode(from('198.51.100.24'), '06 22 22 22 01')).toBe('ivr.auth.request_otp.fail_menu');
  expect(smsTo('0622222201')).toBe(3);
});
