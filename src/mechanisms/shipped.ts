/** The shipped signature sets, apart from the user-file loader (zod): a report without `--signatures` loads no zod. */
import { CLAUDE_CODE_SETS } from './signatures/claude-code.js';
import { GENERIC } from './signatures/generic.js';
import type { SignatureSet } from './types.js';

/** The shipped sets: Claude Code (all lines), then the generic agent, which catches any other messages API user. */
export function shippedSets(): SignatureSet[] {
  return [...CLAUDE_CODE_SETS, GENERIC];
}
