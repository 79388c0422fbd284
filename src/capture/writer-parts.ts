/**
 * The log writer's heavy parts — the redactor (secretlint's rules) and the pino sink — that the agent's thread
 * needs only when there is no capture worker (its writes redacted and written there instead). Loaded by writer.ts
 * on first use (require() of the compiled ESM), or handed over with `useParts` (the Bun bundle, and Node without
 * require(esm): writer-loader.ts).
 */
export { createRedactor } from '../policy/redact/index.js';
export { openSink } from '../log/sink.js';
