/**
 * Errors with stable codes. The message names what is wrong, where (file and field) and the fix;
 * callers branch on `code`, never on the message.
 */
export type ErrorCode =
  | 'AGENTTAP_CONFIG_INVALID'
  | 'AGENTTAP_LOG_INVALID'
  | 'AGENTTAP_RULES_INVALID'
  | 'AGENTTAP_USAGE';

export class AgentTapError extends Error {
  override readonly name = 'AgentTapError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** sysexits' EX_CONFIG: how the loader, `run` and `proxy` stop on a bad config or rules file, before the agent starts. */
export const EXIT_CONFIG = 78;

/** A config or rules file that failed validation: the one error that stops the agent from starting. */
export function isConfigError(err: unknown): err is AgentTapError {
  return (
    err instanceof AgentTapError && (err.code === 'AGENTTAP_CONFIG_INVALID' || err.code === 'AGENTTAP_RULES_INVALID')
  );
}

/** `redact.patterns[2].pattern`: a field's path as the user would write it in JavaScript. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
}
