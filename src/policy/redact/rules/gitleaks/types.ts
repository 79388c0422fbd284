/** The shape of the generated gitleaks rule data (rules.ts). */

export interface GitleaksRegex {
  source: string;
  flags: string;
}

export interface GitleaksAllowlist {
  /** What the regexes are tested on: the secret, the whole match, or the match's line. */
  target: 'secret' | 'match' | 'line';
  /** Allowed only when regexes *and* stopwords agree (gitleaks `condition = "AND"`). */
  all?: boolean;
  regexes: GitleaksRegex[];
  /** Lower-case; the secret containing one is allowed. */
  stopwords?: string[];
}

export interface GitleaksRuleData extends GitleaksRegex {
  id: string;
  /** Lower-case; the rule runs only on text containing one of them. */
  keywords: string[];
  /**
   * The match must start at a word boundary, or right after a literal `\n`/`\r`/`\t` escape
   * (upstream's leading `\b`, checked in code to keep V8's literal search).
   */
  boundary?: boolean;
  /** Capture group of the secret; otherwise the first non-empty group, else the match. */
  group?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  allow?: GitleaksAllowlist[];
}

export interface GitleaksData {
  upstream: { repository: string; version: string; commit: string; license: string };
  /** Applies to every rule. */
  allow?: GitleaksAllowlist;
  rules: GitleaksRuleData[];
  skipped: { id: string; reason: string }[];
}
