/** Which headers carry credentials, and which part of their value is the credential. */
import { PRIORITY, type Finding } from './finding.js';

const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'set-cookie',
  'x-amz-security-token',
  'x-auth-token',
]);

/**
 * Any name containing one of these is a credential too (`x-forwarded-authorization`,
 * `x-csrf-token`, `anthropic-api-key`…). `tokens` is excluded on purpose:
 * `anthropic-ratelimit-tokens-remaining` and friends are counters worth keeping in the log.
 * (`credentials` is not here: `access-control-allow-credentials: true` is not a secret; `creds`
 * and `credential` are, e.g. `x-creds: <id>:<secret>`.)
 */
const CREDENTIAL_NAME_PART =
  /token(?!s)|secret|passw(?:or)?d|api[-_]?key|(?:access|account|private)[-_]?key|authorization|cookie|creds?(?![a-z])|credential(?!s)/i;

/** Headers whose value starts with an auth scheme worth keeping (`Bearer`, `Basic`, `AWS4-HMAC-SHA256`). */
const SCHEME_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization']);
const SCHEME = /^([A-Za-z][A-Za-z0-9-]{0,31}[ \t]+)\S/;

export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(lower) || CREDENTIAL_NAME_PART.test(lower);
}

/** The whole value is one secret, except the auth scheme, which stays readable. */
export function credentialHeaderFinding(name: string, value: string): Finding | undefined {
  let start = 0;
  if (SCHEME_HEADERS.has(name.toLowerCase())) {
    const scheme = SCHEME.exec(value);
    if (scheme) start = (scheme[1] as string).length;
  }
  if (start >= value.length) return undefined;
  return { start, end: value.length, type: 'credential-header', priority: PRIORITY.credentialHeader };
}

/**
 * A custom header's value is one unit: where a rule found a secret in it, the rest of that
 * whitespace-separated word goes too (`<key id>:<secret>` — the id is recognised, the secret
 * after the `:` has no shape of its own). Runs on the already-redacted value; the placeholder
 * itself is cut out of the finding when it is applied.
 */
export function secretWordFindings(value: string): Finding[] | undefined {
  if (!value.includes('[REDACTED:')) return undefined;
  const out: Finding[] = [];
  for (const m of value.matchAll(/\S+/g)) {
    const word = m[0];
    const at = word.indexOf('[REDACTED:');
    if (at < 0 || (at === 0 && word.endsWith(']') && word.lastIndexOf('[REDACTED:') === 0)) continue;
    out.push({
      start: m.index,
      end: m.index + word.length,
      type: 'credential-header',
      priority: PRIORITY.credentialHeader,
    });
  }
  return out.length > 0 ? out : undefined;
}
