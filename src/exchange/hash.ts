/**
 * The one content hash: 128 bits of SHA-256 in hex. The log's blob references are these (a reader
 * resolves `{ "$blob": h }` by it), so the format is fixed; reports, the rules' cache ledger and message
 * keys use the same one. SHA-256 is no slower than SHA-1 on CPUs with SHA extensions (x86-64, arm64).
 */
import { createHash } from 'node:crypto';

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
