/** The rewrite actions, by the name a rules file uses for them. */
export { capMaxTokens, type CapMaxTokensOptions } from './cap-max-tokens.js';
export { contextManagement, CONTEXT_MANAGEMENT_BETA, type ContextManagementOptions } from './context-management.js';
export { dropThinking } from './drop-thinking.js';
export { removeTools, type RemoveToolsOptions } from './remove-tools.js';
export { setModel, type SetModelOptions } from './set-model.js';
export { estimateTokens, trimContext, type TrimContextOptions } from './trim-context.js';
export { cutMiddle, truncateLarge, type TruncateOptions } from './truncate.js';
export { hook, HookError, type HookAction, type HookContext, type HookFn, type HookOptions } from './hook.js';
