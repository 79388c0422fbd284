/** What the Bun preload and the witness proxy agree on (src/bun/taps.ts, src/run/witness.ts). */
export const ENV_WITNESS_URL = 'AGENTTAP_WITNESS_URL';
export const ENV_WITNESS_TOKEN = 'AGENTTAP_WITNESS_TOKEN';
/** Where the witness forwards (origin and path prefix, no credentials): what the in-process records name. */
export const ENV_WITNESS_UPSTREAM = 'AGENTTAP_WITNESS_UPSTREAM';
/** Set on requests the in-process tap recorded; never leaves the machine (the witness removes it). */
export const WITNESS_HEADER = 'x-agenttap-recorded';
