/**
 * What a report shows for what a log lacks: content whose blob was never written (a damaged or cut log)
 * and numbers an event does not carry. Never NaN, never "undefined": a clear marker, or no number at all.
 */

/** The text shown in place of a blob the log references but never wrote. */
export const missingText = (hash: string) =>
  `[agenttap: missing content — blob ${hash} is referenced but was never written to the log]`;

/** A message that stands for a missing one (its role is unknown too). */
export const missingMessage = (hash: string) => ({
  role: 'missing',
  content: [{ type: 'text', text: missingText(hash) }],
});

/** A number the log gives, or nothing (a missing or non-numeric field must not become NaN). */
export const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
