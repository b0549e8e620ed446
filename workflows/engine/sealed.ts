/**
 * Sealed references (`sealed:v1:<base64url>`, made by lib/secrets/seal.ts outside the workflow): a secret the
 * session may carry but never read, e.g. a code the portal sealed before sending it. The engine only recognizes
 * the shape (it cannot load crypto); the backend activity unseals. A test keeps this pattern equal to the sealer's.
 */
export const SEALED_REF = /^sealed:v1:[A-Za-z0-9_-]{39,}$/;

export function isSealedRef(value: unknown): value is string {
  return typeof value === 'string' && SEALED_REF.test(value);
}
