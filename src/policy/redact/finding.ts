/** One secret found in one string: `[start, end)` in UTF-16 offsets, like String#slice. */
export interface Finding {
  start: number;
  end: number;
  type: string;
  /** When findings overlap they are merged; the merged placeholder takes the highest-priority type. */
  priority: number;
}

/** Specific formats beat generic ones, so `Bearer sk-ant-…` is reported as an Anthropic key. */
export const PRIORITY = {
  privateKey: 100,
  user: 95,
  vendor: 90,
  /** gitleaks's provider rules: below the hand-written and secretlint ones, which name a shared span. */
  gitleaks: 85,
  jwt: 80,
  basicAuth: 70,
  bearer: 60,
  urlParam: 50,
  credentialHeader: 50,
  highEntropy: 40,
  unknown: 10,
} as const;

/** A hand-written rule: appends what it finds in `text` to `out`. Must be synchronous. */
export interface TextRule {
  readonly name: string;
  scan(text: string, out: Finding[]): void;
}
