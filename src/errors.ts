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
