/**
 * agenttap's mock model API: Anthropic Messages, OpenAI Chat Completions and Responses on a
 * loopback HTTP server, with scripted multi-turn replies, pacing, gzip, faults and strict checks.
 */
export { startMock } from './server.js';
export { defaultScript, exampleFromSchema, exampleInput, DEFAULT_FINAL_TEXT, DEFAULT_THINKING } from './script.js';
export {
  validateAnthropicRequest,
  MAX_CACHE_CONTROL_BREAKPOINTS,
  type ValidateOptions,
} from '../exchange/anthropic-validity.js';
export { normalizeTools } from './request.js';
export { loadScriptFile, parseScriptFile, type ScriptFile } from './script-file.js';
export type {
  Fault,
  MockApi,
  MockOptions,
  MockServer,
  MockUsage,
  ParsedRequest,
  ReceivedRequest,
  Script,
  ScriptFunction,
  ToolSpec,
  ToolUse,
  Turn,
} from './types.js';
