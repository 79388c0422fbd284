/**
 * What every in-agent driver (the Node loader, the Bun preload) settles before the agent's first line, and nothing
 * more: the config (validated: a bad one throws AGENTTAP_CONFIG_INVALID), the session place published for Node
 * children, and the rules (a bad rules file throws AGENTTAP_RULES_INVALID) — the errors that must stop the agent
 * before it starts. The capture itself is built later (the loader: at the first model call).
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { publishSession, resolveSession, type SessionPlace } from '../log/session.js';
import type { RulesStep } from '../policy/rewrite/wire.js';

export interface Prepared {
  config: Config;
  session: SessionPlace;
  rules?: RulesStep;
}

/** `undefined`: nothing to capture in this process (disabled, or a child with `children: off`). */
export async function prepare(): Promise<Prepared | undefined> {
  const { config } = await loadConfig();
  if (!config.enabled) return undefined;
  const session = resolveSession(config);
  if (!session) return undefined; // a child process, and children are off
  publishSession(session);
  if (!config.rules) return { config, session };
  // Imported only with a rules file; the rules step alone, not src/capture/open.ts (its import would load the
  // recorder at start, and a second copy of it beside the bundled capture, scripts/bundle-loader.mjs).
  const { loadRulesStep } = await import('../policy/rewrite/load-step.js');
  return { config, session, rules: await loadRulesStep(config) };
}

/** The `session.start` fields of a process that joined its parent's session. */
export function startFields(session: SessionPlace): Record<string, unknown> {
  return session.parentPid !== undefined ? { parent_pid: session.parentPid } : {};
}
