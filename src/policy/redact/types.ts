/**
 * The redaction contract: what the recorder calls before anything reaches disk. Synchronous on purpose:
 * records still queued at `process.exit()` are redacted in the `exit` handler, where no promise settles.
 */

export interface RedactorOptions {
  /** HMAC key (per install) that makes placeholder tags stable and unguessable. */
  key: Uint8Array;
  /** Extra user patterns: each match becomes `[REDACTED:<name>:<tag>]`. */
  extraPatterns?: { name: string; pattern: string; flags?: string }[];
  /** The narrow keyed high-entropy rule (on by default). */
  highEntropy?: boolean;
}

export interface RedactionStats {
  /** Secrets replaced so far, by type. */
  byType: Record<string, number>;
}

export interface Redactor {
  /** Credentials by header name (case-insensitive); everything else unchanged (content secrets in values too). */
  headers(headers: Record<string, string>): Record<string, string>;
  /** Secret query parameters (key, api_key, token, sig, …) and userinfo passwords. */
  url(url: string): string;
  /** A deep copy of a JSON value with every secret inside its decoded strings replaced. */
  value<T>(value: T): T;
  text(text: string): string;
  readonly stats: RedactionStats;
}
