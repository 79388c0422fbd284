/**
 * Telling blob and list references apart from content, and resolving a blob reference. Kept apart from
 * events.ts (zod) because the recorder uses them on the agent's side, where zod is not loaded.
 */
import type { BlobRef, ListRef } from './events.js';

export function isBlobRef(value: unknown): value is BlobRef {
  if (typeof value !== 'object' || value === null || typeof (value as { $blob?: unknown }).$blob !== 'string')
    return false;
  const keys = Object.keys(value);
  return keys.length === 1 || (keys.length === 2 && typeof (value as { $cache?: unknown }).$cache === 'object');
}

/** A blob reference's value: the blob's content with its `$cache` markers put back. */
export function resolveBlobRef(ref: BlobRef, content: unknown): unknown {
  if (!ref.$cache) return content;
  const message = content as { content?: Record<string, unknown>[] };
  if (!Array.isArray(message?.content)) return content;
  return {
    ...message,
    content: message.content.map((block, i) =>
      i in ref.$cache! ? { ...block, cache_control: ref.$cache![i] } : block,
    ),
  };
}

export function isListRef(value: unknown): value is ListRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $list?: unknown }).$list === 'string' &&
    Object.keys(value).length === 1
  );
}
