/**
 * The live request carries the real secrets; the recording holds their tags. A live body is redacted with the
 * same key and patterns as the recording (the config's `redact` section, `AGENTTAP_KEY_FILE`, else
 * `~/.agenttap/key`) before it is compared: the same secret gives the same tag (src/policy/redact/tag.ts).
 * Replay never creates a key: without one, a one-off key redacts (a request holding a secret then misses, and
 * the miss report shows the tags that differ).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { createRedactor, loadOrCreateKey, type Redactor } from '../policy/redact/index.js';

export async function replayRedactor(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<Redactor> {
  const { config } = await loadConfig(env, cwd);
  const file = config.redact.keyFile ?? join(homedir(), '.agenttap', 'key');
  const key = existsSync(file) ? loadOrCreateKey(file) : randomBytes(32);
  return createRedactor({ key, extraPatterns: config.redact.patterns, highEntropy: config.redact.highEntropy });
}
