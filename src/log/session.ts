/**
 * Where this process logs. The first agenttap process of a session makes the session directory and
 * publishes it in the environment; Node children that inherit the loader (NODE_OPTIONS) join it with
 * their own `<pid>.ndjson`, unless `children: off`, in which case they stay inactive.
 */
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';

export const ENV_SESSION_DIR = 'AGENTTAP_SESSION_DIR';
export const ENV_SESSION_ID = 'AGENTTAP_SESSION_ID';
export const ENV_PARENT_PID = 'AGENTTAP_PARENT_PID';

export interface SessionPlace {
  id: string;
  dir: string;
  /** The pid of the agenttap process that started the session, when this one joined it. */
  parentPid?: number;
}

/** `null`: this process is a child that must not capture (`children: off`). */
export function resolveSession(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): SessionPlace | null {
  const inheritedDir = env[ENV_SESSION_DIR];
  const inheritedId = env[ENV_SESSION_ID];
  const parentPid = Number(env[ENV_PARENT_PID]);
  if (inheritedDir && inheritedId && Number.isInteger(parentPid) && parentPid !== process.pid) {
    if (config.children === 'off') return null;
    return { id: inheritedId, dir: inheritedDir, parentPid };
  }
  const id = config.session ?? newSessionId();
  return { id, dir: resolve(cwd, config.dir, id) };
}

/** Lets Node children (started with the loader in NODE_OPTIONS) find the session. */
export function publishSession(place: SessionPlace, env: NodeJS.ProcessEnv = process.env): void {
  if (place.parentPid !== undefined) return;
  env[ENV_SESSION_DIR] = place.dir;
  env[ENV_SESSION_ID] = place.id;
  env[ENV_PARENT_PID] = String(process.pid);
}

export function newSessionId(now = new Date()): string {
  // `20260102-030405` from the UTC fields, not toISOString(): a process's first toISOString() costs 1–10 ms on
  // Node 20–24 (measured), on every agent's start path (issue 13).
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${String(now.getUTCFullYear()).padStart(4, '0')}${two(now.getUTCMonth() + 1)}${two(now.getUTCDate())}`;
  const stamp = `${date}-${two(now.getUTCHours())}${two(now.getUTCMinutes())}${two(now.getUTCSeconds())}`;
  // Six hex digits to keep two sessions of the same second apart, not a secret: Math.random, because
  // node:crypto costs an agent's start ~5 ms of module loading (issue 13) that nothing else on that path needs.
  const suffix = Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return `${stamp}-${suffix}`;
}
