/** Mechanism signatures (data) and the classifier, shared by `agenttap report` and the rewrite rules. */
export { Classifier, evaluate, textMatches } from './classify.js';
export { CLAUDE_CODE_SETS, CLAUDE_CODE_1_0, CLAUDE_CODE_2_0, CLAUDE_CODE_2_1 } from './signatures/claude-code.js';
export { GENERIC } from './signatures/generic.js';
export { loadSignatureFile, SignatureFile, shippedSets } from './user-file.js';
export { MECHANISM_LABELS } from './types.js';
export type { Classification, Condition, ExchangeFacts, Signature, SignatureSet, TextMatch } from './types.js';
