/** The redaction contract: what the log sink calls before anything reaches disk. */

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
  headers(headers: Record<string, string>): Promise<Record<string, string>>;
  /** Secret query parameters (key, api_key, token, sig, …) and userinfo passwords. */
  url(url: string): Promise<string>;
  /** A deep copy of a JSON value with every secret inside its decoded strings replaced. */
  value<T>(value: T): Promise<T>;
  text(text: string): Promise<string>;
  readonly stats: RedactionStats;
}
