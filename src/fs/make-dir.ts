/**
 * Every folder agenttap makes (session folders, the key's folder, exported prompts) is made here: bounded and private.
 *
 * Why not `mkdirSync(dir, { recursive: true })`: on procfs (`AGENTTAP_DIR=/proc/x`) `mkdir /proc/x` fails with ENOENT
 * although `/proc` exists, and Node's recursive mkdir (Node 20–24) then makes the parent again (EEXIST) and retries
 * the child, forever — 100% CPU on the agent's main thread. Here the missing components are found once, by walking up
 * to the first that exists (at most one step per path component), and each is made once; any error but a racing
 * EEXIST on a folder is thrown.
 *
 * Modes: folders 0700 and files 0600 — a session log holds prompts and tool output (redacted, still private).
 * The umask can only take bits away.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Makes `dir` and its missing parents with `mode` (default 0700). Existing folders keep their mode. Throws on failure. */
export function makeDir(dir: string, mode: number = PRIVATE_DIR_MODE): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    const stat = statSync(at, { throwIfNoEntry: false });
    if (stat?.isDirectory()) break;
    if (stat) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR', path: at });
    missing.push(at);
    if (dirname(at) === at) break; // the root itself is missing: mkdir below says why
  }
  for (const at of missing.reverse()) {
    try {
      mkdirSync(at, { mode });
    } catch (err) {
      // Another process made it meanwhile (children of one agent start together): fine if it is a folder.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(at).isDirectory()) throw err;
    }
  }
}
