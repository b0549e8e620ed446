/** How scripts compare text: without case, accents, punctuation or extra spaces. */
export function normalizeForCompare(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’']/g, ' ')
    .replace(/[^\p{L}\p{N}@+]+/gu, ' ')
    .trim();
}
