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

/**
 * Messages compare equal across turns when only `cache_control` markers moved or string/block form changed. The
 * key is over the string form (a `content` of one plain text block taken as its text): most messages are logged
 * in that form, so a reader gets their key from the blob's own hash, without hashing their bytes again
 * (reports/read/scan.ts).
 */
export function messageKey(message: unknown): string {
  return contentHash(withoutCacheMarkers(JSON.stringify(message, stringForm) ?? 'undefined'));
}

/** A `content` of one text block (nothing else in it but a marker) read as its text. */
function stringForm(key: string, value: unknown): unknown {
  if (key !== 'content' || !Array.isArray(value) || value.length !== 1) return value;
  const block = value[0] as Record<string, unknown>;
  if (typeof block !== 'object' || block === null || Array.isArray(block)) return value;
  if (block.type !== 'text' || typeof block.text !== 'string') return value;
  // Its fields as JSON writes them, a marker withoutCacheMarkers cuts left out: exactly "type", then "text".
  const fields = Object.keys(block).filter(
    (k) => block[k] !== undefined && !(k === 'cache_control' && isCutMarker(block[k])),
  );
  return fields.length === 2 && fields[0] === 'type' && fields[1] === 'text' ? block.text : value;
}

/** A marker value that withoutCacheMarkers cuts (a flat object: no brace in its JSON but its own). */
const isCutMarker = (v: unknown) => /^\{[^{}]*\}$/.test(JSON.stringify(v) ?? '');

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
