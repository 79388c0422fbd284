/**
 * An output file opened for writing keeps its old mode: a report holds the session's prompts, so a regular file
 * we own is made private (0600). Anything else the user named as output — /dev/null, a FIFO, a terminal — is not
 * a file of ours and keeps its mode: run as root, a chmod there would change the device for every user.
 */
import { fchmodSync, fstatSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from './make-dir.js';

export function makePrivate(fd: number): void {
  try {
    if (fstatSync(fd).isFile()) fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch {
    // not the owner: the file's mode is its owner's choice
  }
}
