/** Which headers carry credentials, and which part of their value is the credential. */
import { PRIORITY, type Finding } from "./finding.js";

const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "api-key",
  "x-goog-api-key",
  "cookie",
  "set-cookie",
  "x-amz-security-token",
  "x-auth-token",
]);

/**
 * Any name containing one of these is a credential too (`x-forwarded-authorization`,
 * `x-csrf-token`, `anthropic-api-key`…). `tokens` is excluded on purpose:
 * `anthropic-ratelimit-tokens-remaining` and friends are counters worth keeping in the log.
 * (`credential` is not here: `access-control-allow-credentials: true` is not a secret.)
 */
const CREDENTIAL_NAME_PART = /token(?!s)|secret|passw(?:or)?d|api[-_]?key|authorization|cookie/i;

/** Headers whose value starts with an auth scheme worth keeping (`Bearer`, `Basic`, `AWS4-HMAC-SHA256`). */
const SCHEME_HEADERS: ReadonlySet<string> = new Set(["authorization", "proxy-authorization"]);
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
  return { start, end: value.length, type: "credential-header", priority: PRIORITY.credentialHeader };
}
