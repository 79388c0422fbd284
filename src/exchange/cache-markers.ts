/**
 * Anthropic `cache_control` markers: the one place that knows how to take them out. Claude Code moves its
 * marker to the newest message every turn, so a message (or a prompt-cache prefix) is the same one across
 * turns only when compared without them.
 */
import { contentHash } from './hash.js';

// Markers are flat objects (`{"type":"ephemeral","ttl":"1h"}`): cut from the JSON text, several times faster
// than a replacer function. A "cache_control" inside a string is escaped (\") and never matches.
const MARKER = /,"cache_control":\{[^{}]*\}|"cache_control":\{[^{}]*\},?/g;

/** A value's JSON with every cache marker cut out (the same text when there is none). */
export function withoutCacheMarkers(json: string): string {
  return json.includes('"cache_control":') ? json.replace(MARKER, '') : json;
}

/** Messages compare equal across turns when only `cache_control` markers moved or string/block form changed. */
export function messageKey(message: unknown): string {
  return contentHash(withoutCacheMarkers(JSON.stringify(message, blockForm) ?? 'undefined'));
}

/** A string `content` read as the one text block it stands for. */
function blockForm(key: string, value: unknown): unknown {
  return key === 'content' && typeof value === 'string' ? [{ type: 'text', text: value }] : value;
}

/**
 * A message with its markers taken out of its content blocks, and the markers by block index (undefined
 * when it has none): the log stores the bare message once and puts the markers on the reference.
 */
export function splitCacheMarkers(message: unknown): { bare: unknown; markers?: Record<string, unknown> } {
  const content = (message as { content?: unknown })?.content;
  if (!Array.isArray(content) || !content.some((b) => typeof b === 'object' && b !== null && 'cache_control' in b))
    return { bare: message };
  const markers: Record<string, unknown> = {};
  const blocks = content.map((block: Record<string, unknown>, i) => {
    if (typeof block !== 'object' || block === null || !('cache_control' in block)) return block;
    const { cache_control, ...rest } = block;
    markers[i] = cache_control;
    return rest;
  });
  return { bare: { ...(message as object), content: blocks }, markers };
}
