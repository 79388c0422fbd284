/**
 * Retries as one exchange with attempts. The log keeps one record per HTTP attempt (DESIGN invariant 4); a
 * retry re-sends the same request after the previous attempt failed, and must not be read as another
 * mechanism (a 429 retry, a resend after a cut stream, Claude Code's non-streaming fallback).
 *
 * An attempt belongs to an earlier one when, in the same process:
 *   - the SDK layer tagged both with the same call (`sdk.call`: the SDK counts its own attempts), or
 *   - it carries the same request (the same messages, system prompt, tools and model; `stream` may differ:
 *     the fallback drops it) as the latest earlier request of that shape, and that one failed (HTTP ≥ 400,
 *     or its stream did not complete). Headers cannot tell: Claude Code sends `x-stainless-retry-count: 0`
 *     on every attempt (docs/claude-code.md#retries).
 */
export interface AttemptFacts {
  pid: number;
  /** The request's shape: same value, same request (undefined: not comparable). */
  shape?: string;
  sdkCall?: string;
  status?: number;
  outcome?: string;
}

/** For each attempt that retries an earlier one: the index of the call's first attempt. */
export function findRetries(attempts: readonly AttemptFacts[]): Map<number, number> {
  const firstOf = new Map<number, number>();
  const bySdkCall = new Map<string, number>();
  const byShape = new Map<string, number>();
  const failed = (a: AttemptFacts) =>
    (a.status !== undefined && a.status >= 400) || (a.outcome !== undefined && a.outcome !== 'complete');
  attempts.forEach((a, i) => {
    const callKey = a.sdkCall !== undefined ? `${a.pid}\u0000${a.sdkCall}` : undefined;
    const shapeKey = a.shape !== undefined ? `${a.pid}\u0000${a.shape}` : undefined;
    let first: number | undefined;
    if (callKey !== undefined && bySdkCall.has(callKey)) first = bySdkCall.get(callKey);
    else if (shapeKey !== undefined && byShape.has(shapeKey) && failed(attempts[byShape.get(shapeKey)!]!))
      first = byShape.get(shapeKey);
    if (first !== undefined) first = firstOf.get(first) ?? first;
    if (first !== undefined) firstOf.set(i, first);
    if (callKey !== undefined) bySdkCall.set(callKey, i);
    if (shapeKey !== undefined) byShape.set(shapeKey, i);
  });
  return firstOf;
}
