/**
 * Files and folders the report CLI writes (`--html`, `--md`, `--json`, `--export-prompts`): checked before
 * the log is read (a wrong path fails in a second, not after a 1 GB read), created private (0600 files,
 * 0700 folders: a report holds the session's prompts), and every failure is one line naming the file, the
 * flag the user typed and the fix — never a stack.
 */
import { closeSync, mkdirSync, openSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AgentTapError } from '../errors.js';
import { PRIVATE_DIR_MODE as DIR_MODE, PRIVATE_FILE_MODE as FILE_MODE } from '../fs/make-dir.js';
import { makePrivate } from '../fs/private-file.js';

/** Two outputs sent to stdout would interleave: refused before anything is read, naming both flags. */
export function refuseStdoutConflicts(outputs: Record<string, string | undefined>): void {
  const toStdout = Object.entries(outputs)
    .filter(([, v]) => v === '-')
    .map(([flag]) => flag);
  if (toStdout.length > 1) {
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `${toStdout.map((f) => `${f} -`).join(' and ')}: only one output can go to stdout. Fix: write the others to files, e.g. ${toStdout[1]} report.out.`,
    );
  }
}

const statOf = (path: string): Stats | undefined => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

/** The file can be written: its folder exists and is a folder, and the path itself is not a folder. */
export function checkOutputFile(file: string, flag: string): void {
  const at = statOf(file);
  if (at?.isDirectory())
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `${flag} ${file}: is a folder. Fix: give a file name, e.g. ${flag} ${resolve(file, 'report')}.`,
    );
  const parent = dirname(resolve(file));
  const p = statOf(parent);
  if (!p)
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `${flag} ${file}: the folder ${parent} does not exist. Fix: create it first or give a path in an existing folder.`,
    );
  if (!p.isDirectory())
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `${flag} ${file}: ${parent} is not a folder. Fix: give a path in an existing folder.`,
    );
}

/** Writes a whole output file, created 0600 (an existing regular file is made 0600 too when it is ours to change). */
export function writeOutputFile(file: string, flag: string, text: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'w', FILE_MODE);
    makePrivate(fd);
    writeSync(fd, text);
  } catch (err) {
    throw outputError(err, file, flag);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The folder for `--export-prompts`: made if missing, one level only (its parent must exist) — a recursive
 * mkdir on a path like /proc/x never ends. Created 0700.
 */
export function ensureOutputDir(dir: string, flag: string): void {
  const at = statOf(dir);
  if (at) {
    if (!at.isDirectory())
      throw new AgentTapError(
        'AGENTTAP_USAGE',
        `${flag} ${dir}: exists and is not a folder. Fix: give a new or an existing folder.`,
      );
    return;
  }
  const parent = dirname(resolve(dir));
  const p = statOf(parent);
  if (!p?.isDirectory())
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `${flag} ${dir}: the folder ${parent} does not exist. Fix: create it first (only the last folder is made).`,
    );
  try {
    mkdirSync(dir, { mode: DIR_MODE });
  } catch (err) {
    throw outputError(err, dir, flag);
  }
}

const FIX: Record<string, string> = {
  EACCES: 'no permission to write there. Fix: pick a path you can write to.',
  EPERM: 'no permission to write there. Fix: pick a path you can write to.',
  EROFS: 'the file system is read-only. Fix: pick a path on a writable disk.',
  EISDIR: 'is a folder. Fix: give a file name inside it.',
  ENOENT:
    'cannot be created there (the file system takes no new files, e.g. /proc). Fix: pick a path in an ordinary folder.',
  ENOTDIR: 'a part of the path is not a folder. Fix: give a path in an existing folder.',
  ENOSPC: 'the disk is full. Fix: free some space or pick another disk.',
  EEXIST: 'exists and is not a folder. Fix: give another path.',
};

/** A file system error while writing an output, as one line naming the flag, the path and the fix. */
export function outputError(err: unknown, path: string, flag: string): Error {
  if (err instanceof AgentTapError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const fix = (code && FIX[code]) ?? `${(err as Error)?.message ?? String(err)}. Fix: pick another path.`;
  return new AgentTapError('AGENTTAP_USAGE', `${flag} ${path}: ${fix}`);
}

/** A file system error while reading the log (`<session>`), as one line. */
export function inputError(err: unknown, session: string): Error {
  if (err instanceof AgentTapError) return err;
  const e = err as NodeJS.ErrnoException;
  if (!e?.code || !e.syscall) return err as Error;
  const what =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? 'no permission to read it. Fix: run as a user who can read the log.'
      : e.code === 'EISDIR'
        ? 'is a folder, not a log file. Fix: pass the session folder or a <pid>.ndjson file.'
        : `${e.message}. Fix: pass a session folder under .agenttap/sessions/ or a <pid>.ndjson file.`;
  return new AgentTapError('AGENTTAP_LOG_INVALID', `${e.path ?? session}: ${what}`);
}
