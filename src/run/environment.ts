/**
 * What `agenttap run` hands the command: the loader in NODE_OPTIONS and a fixed session, decided once here so
 * that the first Node process of the agent and every Node child it spawns land in the same session folder.
 *
 *   agenttap run ── env: NODE_OPTIONS+=--import <loader>, AGENTTAP_SESSION=<id>, AGENTTAP_DIR=<abs root>
 *        └─ agent (node)  owns the session: writes <root>/<id>/<pid>.ndjson, publishes AGENTTAP_SESSION_DIR/…
 *             └─ node child (NODE_OPTIONS inherited) joins: <root>/<id>/<child pid>.ndjson  (unless children: off)
 *
 * `agenttap run` itself records nothing and does not publish a parent pid: the agent is the session's first
 * process, so `children: off` keeps out the agent's children, never the agent.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type FlagNames } from '../config/load.js';
import { ENV_PARENT_PID, ENV_SESSION_DIR, ENV_SESSION_ID, newSessionId } from '../log/session.js';

// The package's own entries by its name (src/run/ in the repo, dist/src/run/ once built: no relative path fits both).
const own = createRequire(import.meta.url);
/** The `loader` file at the package root. */
export const LOADER_FILE = own.resolve('agenttap/loader');
/** The Bun preload entry at the package root, beside `loader`. */
export const BUN_PRELOAD_FILE = own.resolve('agenttap/bun');

export interface RunSettings {
  /** AGENTTAP_* values given as flags; they win over the inherited environment. */
  overrides: Record<string, string>;
  /** The flag each override came from (`AGENTTAP_CONFIG` → `--config`), so a config error names it. */
  flags?: FlagNames;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface RunPlan {
  sessionId: string;
  sessionDir: string;
  env: NodeJS.ProcessEnv;
}

/** Throws AGENTTAP_CONFIG_INVALID (from loadConfig) before anything starts. */
export async function planRun(settings: RunSettings): Promise<RunPlan> {
  const cwd = settings.cwd ?? process.cwd();
  const env: NodeJS.ProcessEnv = { ...(settings.env ?? process.env), ...settings.overrides };
  // A run inside a captured process starts a session of its own rather than joining the outer one.
  delete env[ENV_SESSION_DIR];
  delete env[ENV_SESSION_ID];
  delete env[ENV_PARENT_PID];
  const { config } = await loadConfig(env, cwd, settings.flags);
  const sessionId = config.session ?? newSessionId();
  const root = resolve(cwd, config.dir);
  env.AGENTTAP_SESSION = sessionId;
  env.AGENTTAP_DIR = root;
  if (env.AGENTTAP_CONFIG) env.AGENTTAP_CONFIG = resolve(cwd, env.AGENTTAP_CONFIG);
  env.NODE_OPTIONS = withLoader(env.NODE_OPTIONS);
  return { sessionId, sessionDir: resolve(root, sessionId), env };
}

/** Appends `--import <loader URL>` unless the loader is already there. A file URL needs no quoting in NODE_OPTIONS. */
export function withLoader(nodeOptions: string | undefined, loader = LOADER_FILE): string {
  const url = pathToFileURL(loader).href;
  const current = (nodeOptions ?? '').trim();
  if (current.includes(url) || current.includes(loader)) return current;
  return current ? `${current} --import ${url}` : `--import ${url}`;
}

export function loaderIsBuilt(loader = LOADER_FILE): boolean {
  return existsSync(resolve(loader, '..', 'dist', 'src', 'loader', 'index.js'));
}

/**
 * Appends `--preload=<file>` to a `BUN_OPTIONS` the user may have set (Bun reads it like a command line, so a
 * path with spaces is quoted), unless the preload is already there.
 */
export function withBunPreload(bunOptions: string | undefined, preload = BUN_PRELOAD_FILE): string {
  const current = (bunOptions ?? '').trim();
  if (current.includes(preload)) return current;
  const arg = /\s/.test(preload) ? `--preload="${preload}"` : `--preload=${preload}`;
  return current ? `${current} ${arg}` : arg;
}

export function bunPreloadIsBuilt(preload = BUN_PRELOAD_FILE): boolean {
  return existsSync(resolve(preload, '..', 'dist', 'src', 'bun', 'preload.js'));
}
