/** Query/fragment parameter names whose value is a credential (compared case-insensitively). */
export const SECRET_PARAM_NAMES: ReadonlySet<string> = new Set([
  'key',
  'api_key',
  'apikey',
  'api-key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'password',
  'secret',
  'client_secret',
  'code',
]);

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** Longest names first so the alternation never stops at a prefix (`key` vs `key…`). */
export const SECRET_PARAM_NAMES_SOURCE = [...SECRET_PARAM_NAMES]
  .sort((a, b) => b.length - a.length)
  .map(escapeRegex)
  .join('|');
