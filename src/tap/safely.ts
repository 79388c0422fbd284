/**
 * Fail open through one helper: a tap error becomes a warning, never the agent's error.
 */
export type WarnFn = (code: string, message: string, exchange?: string) => void;

export function safely<T>(warn: WarnFn, code: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    try {
      warn(code, `${code}: ${(err as Error)?.message ?? String(err)}`);
    } catch {
      // the warning path itself failed: stay silent rather than break the agent
    }
    return fallback;
  }
}
