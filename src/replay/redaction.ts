/**
 * The live request carries the real secrets; the recording holds their tags. A live body is redacted with the
 * same key and patterns as the recording (the config's `redact` section, `AGENTTAP_KEY_FILE`, else
 * `~/.agenttap/key`) before it is compared: the same secret gives the same tag (src/policy/redact/tag.ts).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { createRedactor, loadOrCreateKey, type Redactor } from '../policy/redact/index.js';

export async function replayRedactor(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<Redactor> {
  const { config } = await loadConfig(env, cwd);
  const key = loadOrCreateKey(config.redact.keyFile ?? join(homedir(), '.agenttap', 'key'));
  return createRedactor({ key, extraPatterns: config.redact.patterns, highEntropy: config.redact.highEntropy });
}
