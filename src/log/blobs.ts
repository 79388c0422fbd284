/**
 * Content-addressed blobs. Agents resend the system prompt, the tool list and the whole history every
 * turn; each such part is written once (a `blob` event) and referenced by hash afterwards, so a log grows
 * with new content, not with turns². Blobs are per file: a reader of one `<pid>.ndjson` never needs another.
 */
import { createHash } from 'node:crypto';
import type { Endpoint } from '../exchange/types.js';
import type { BlobRef } from './events.js';

/** Which fields of a request body are resent every turn: `whole` as one blob, `each` element as its own. */
const REPEATED_PARTS: Record<Endpoint, { whole: readonly string[]; each: readonly string[] }> = {
  'anthropic.messages': { whole: ['system', 'tools'], each: ['messages'] },
  'anthropic.count_tokens': { whole: ['system', 'tools'], each: ['messages'] },
  'openai.chat': { whole: ['tools'], each: ['messages'] },
  'openai.responses': { whole: ['instructions', 'tools'], each: ['input'] },
  custom: { whole: [], each: [] },
};

export function repeatedParts(endpoint: Endpoint): { whole: readonly string[]; each: readonly string[] } {
  return REPEATED_PARTS[endpoint];
}

/** 128 bits of SHA-256: collision-safe for a log, half the bytes of every reference. */
export function contentHash(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 32);
}

export class BlobStore {
  private readonly written = new Set<string>();
  constructor(private readonly writeBlob: (hash: string, content: unknown) => void) {}

  /** Writes `content` the first time its JSON is seen; returns the reference either way. */
  ref(content: unknown, json: string): BlobRef {
    const hash = contentHash(json);
    if (!this.written.has(hash)) {
      this.written.add(hash);
      this.writeBlob(hash, content);
    }
    return { $blob: hash };
  }
}
