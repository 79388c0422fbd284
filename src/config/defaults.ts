/**
 * The config when there is nothing to read: no file, no AGENTTAP_* variable. Kept apart from the zod
 * schema so the loader's common path never loads zod (~50 ms of an agent's start on Node 20); a unit test
 * keeps it equal to `ConfigSchema.parse({})`.
 */
import type { Config } from './schema.js';

export function defaultConfig(): Config {
  return {
    enabled: true,
    dir: '.agenttap/sessions',
    children: 'join',
    endpoints: [],
    capture: { maxBodyBytes: 16 * 1024 * 1024, blobMinBytes: 256 },
    redact: { patterns: [], highEntropy: true },
    sdk: 'auto',
    dryRun: false,
    sdkPackages: [],
    debug: false,
  };
}
