/**
 * The process facts `session.start` records — argv and cwd — redacted like any request content. argv goes through
 * `redactor.value` as one array, so a flag names its value (`--api-token <secret>`: the secret alone has no shape a
 * rule knows); each argument and the cwd are also scanned as text (a token in a path, `--dd-api-key=…`).
 */
import type { Redactor } from '../policy/redact/types.js';

export function redactProcessFacts(
  redactor: Redactor,
  argv: readonly string[],
  cwd: string,
): { argv: string[]; cwd: string } {
  return { argv: redactor.value([...argv]), cwd: redactor.text(cwd) };
}
