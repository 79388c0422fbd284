/** The per-install HMAC key behind placeholder tags. */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDir, PRIVATE_FILE_MODE } from '../../fs/make-dir.js';

export const KEY_BYTES = 32;

function readKey(file: string): Buffer {
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES) {
    throw new Error(`redact: key file ${file} holds ${key.length} bytes, expected ${KEY_BYTES}`);
  }
  return key;
}

function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

/**
 * Reads the key, or creates it (mode 0600, parent directory included). Two processes racing
 * end up with the same key: the key is written completely to a private temp file (`wx`) and
 * then hard-linked into place, which fails with EEXIST if someone else won — so a reader never
 * sees a half-written file, as it could with `wx` on the key file itself. The loser reads the
 * winner's key. Filesystems without hard links fall back to `wx` on the key file.
 */
export function loadOrCreateKey(file: string): Buffer {
  try {
    return readKey(file);
  } catch (err) {
    if (!isCode(err, 'ENOENT')) throw err;
  }
  // Bounded: a recursive mkdirSync spins forever under /proc (src/fs/make-dir.ts).
  makeDir(dirname(file));
  const key = randomBytes(KEY_BYTES);
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeExclusive(tmp, key);
  try {
    linkSync(tmp, file);
    return key;
  } catch (err) {
    if (isCode(err, 'EEXIST')) return readKey(file);
    if (!isCode(err, 'EPERM') && !isCode(err, 'ENOTSUP') && !isCode(err, 'EXDEV')) throw err;
  } finally {
    unlinkSync(tmp);
  }
  try {
    writeExclusive(file, key);
    return key;
  } catch (err) {
    if (isCode(err, 'EEXIST')) return readKey(file);
    throw err;
  }
}

function writeExclusive(file: string, data: Buffer): void {
  const fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
  try {
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written);
  } finally {
    closeSync(fd);
  }
}
