/**
 * Fail open through one helper: a tap error becomes a warning, never the agent's error.
 */
export type WarnFn = (code: string, message: string, exchange?: string) => void;

export function safely<T>(warn: WarnFn, code: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    warnSafely(warn, code, err);
    return fallback;
  }
}

/** The warning for `err`, caught by a caller's own guard (a per-chunk path that spares `safely`'s closure). */
export function warnSafely(warn: WarnFn, code: string, err: unknown): void {
  try {
    warn(code, `${code}: ${(err as Error)?.message ?? String(err)}`);
  } catch {
    // the warning path itself failed: stay silent rather than break the agent
  }
}
