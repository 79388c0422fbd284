/**
 * A URL as the log records it: `redactor.url` (userinfo, secret query parameters, tokens in its text), then each path
 * segment scanned on its own. Some provider rules want a quote, a space or `=` before a token, and `/` is none of them
 * (gitleaks' azure-ad-client-secret), so a token a gateway routes by in the path stayed in the URL.
 */
import type { Redactor } from '../policy/redact/types.js';

const PARTS = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(.*)$/s;

export function redactUrl(redactor: Redactor, url: string): string {
  const redacted = redactor.url(url);
  const parts = PARTS.exec(redacted);
  if (!parts?.[2]?.includes('/')) return redacted;
  // One batch for all segments; an array has no key names, so only the providers' rules judge them.
  const segments = redactor.value(parts[2].split('/'));
  return `${parts[1] ?? ''}${segments.join('/')}${parts[3]}`;
}
