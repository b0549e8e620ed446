/** Per-app helpers built from the deps and shared by the route files. */
import type { ApiDeps } from '../deps';
import { Practice } from '../odoo/practice';
import { OtpService } from '../services/otp';
import { keyedHash } from '../services/tokens';
import { OperatorService } from '../services/operators';

export interface RouteKit {
  practice: Practice;
  otp: OtpService;
  operators: OperatorService;
  linkHash(token: string): string;
  ipExempt(ip: string): boolean;
}

const kits = new WeakMap<ApiDeps, RouteKit>();

export function kit(deps: ApiDeps): RouteKit {
  let k = kits.get(deps);
  if (!k) {
    const c = deps.config;
    k = {
      practice: new Practice(deps.odoo, { clinicLocation: c.CLINIC_LOCATION, defaultMode: c.DEFAULT_MODE, practiceTimezone: c.PRACTICE_TIMEZONE, calendarId: c.PRACTICE_CALENDAR_ID }),
      otp: new OtpService(deps.store, deps.clock, { key: c.OTP_HASH_KEY, length: c.OTP_LENGTH, ttlSec: c.OTP_TTL_SEC, maxAttempts: c.OTP_MAX_ATTEMPTS }),
      operators: new OperatorService(deps.store, deps.clock, c.SESSION_KEY),
      linkHash: (token) => keyedHash(c.SESSION_KEY, 'link', token),
      ipExempt: (ip) => c.RATE_IP_EXEMPT.includes(ip),
    };
    kits.set(deps, k);
  }
  return k;
}
