/**
 * Where a held stream ends for its reader (held.ts): the event the codecs call the semantic end
 * (`message_stop`: anthropic.ts, `[DONE]`: openai-chat.ts, `response.completed|failed|incomplete`:
 * openai-responses.ts), found in the raw bytes without decoding or parsing them, so the agent's thread can end the
 * exchange when the agent stops reading there (the OpenAI SDK stops at `[DONE]` and never cancels) while the codec
 * itself runs later, elsewhere.
 *
 * A marker counts only where the codec would see it: a type marker as a whole JSON string after `"type":` (inside a
 * JSON string a quote is escaped, so text that mentions `"message_stop"` never matches), `[DONE]` as a line's whole
 * `data:` field (inside a data line a newline is escaped); and only once its event is complete (the blank line after
 * it), as the codec sees it only then: `response.completed` carries the usage after the marker.
 */
import type { Endpoint } from './types.js';

const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

interface Marker {
  needle: Buffer;
  /** Whether the needle found at `at` in `bytes` is where the codec reads it. */
  placed: (bytes: Uint8Array, at: number) => boolean;
}

const TYPE_KEY = Buffer.from('"type"');

/** `"type"`, then `:` with JSON whitespace around it, right before `at`. */
function afterTypeKey(bytes: Uint8Array, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && isJsonSpace(bytes[i]!)) i--;
  if (i < 0 || bytes[i] !== COLON) return false;
  i--;
  while (i >= 0 && isJsonSpace(bytes[i]!)) i--;
  const start = i - TYPE_KEY.length + 1;
  if (start < 0) return false;
  for (let k = 0; k < TYPE_KEY.length; k++) if (bytes[start + k] !== TYPE_KEY[k]) return false;
  return true;
}

function isJsonSpace(b: number): boolean {
  return b === SPACE || b === TAB || b === LF || b === CR;
}

/** `data:` (one optional space after it) at a line's start, before `at`; the needle ends the line. */
function wholeDataLine(bytes: Uint8Array, at: number, length: number): boolean {
  const end = at + length;
  if (end < bytes.length && bytes[end] !== LF && bytes[end] !== CR) return false;
  let i = at - 1;
  if (i >= 0 && bytes[i] === SPACE) i--;
  const start = i - 4;
  if (start < 0) return false;
  if (bytes[start] !== 0x64 || bytes[start + 1] !== 0x61 || bytes[start + 2] !== 0x74 || bytes[start + 3] !== 0x61)
    return false; // "data"
  if (bytes[i] !== COLON) return false;
  return start === 0 || bytes[start - 1] === LF || bytes[start - 1] === CR;
}

const typeMarker = (type: string): Marker => ({ needle: Buffer.from(`"${type}"`), placed: afterTypeKey });
const DONE = Buffer.from('[DONE]');
const doneMarker: Marker = { needle: DONE, placed: (bytes, at) => wholeDataLine(bytes, at, DONE.length) };

/** An endpoint's end markers, and the longest one's length: how far back a marker cut by a chunk's start may begin. */
interface Markers {
  list: Marker[];
  longest: number;
}

const markers = (...list: Marker[]): Markers => ({ list, longest: Math.max(...list.map((m) => m.needle.length)) });

const MARKERS: Partial<Record<Endpoint, Markers>> = {
  'anthropic.messages': markers(typeMarker('message_stop')),
  'openai.chat': markers(doneMarker),
  'openai.responses': markers(
    typeMarker('response.completed'),
    typeMarker('response.failed'),
    typeMarker('response.incomplete'),
  ),
};

/** Finds a held SSE stream's semantic end as its bytes arrive. */
export class StreamEndScanner {
  /** Where the marker's line ends once found: the event is complete at the blank line after it. */
  private from = -1;

  private constructor(private readonly markers: Markers) {}

  /** A scanner for an endpoint whose stream codec has a semantic end; none for any other. */
  static for(endpoint: Endpoint): StreamEndScanner | undefined {
    const markers = MARKERS[endpoint];
    return markers ? new StreamEndScanner(markers) : undefined;
  }

  /**
   * Whether the stream's semantic end is complete within `bytes[0, length)`, of which `[0, seen)` was scanned
   * before. `bytes` holds the whole stream so far (a marker may straddle two chunks).
   */
  ended(bytes: Buffer, seen: number, length: number): boolean {
    if (this.from < 0) {
      // From where a marker that straddles the last chunk's start, or waited at its end, begins.
      const start = Math.max(0, seen - this.markers.longest);
      const view = bytes.subarray(0, length);
      for (const marker of this.markers.list) {
        for (let at = view.indexOf(marker.needle, start); at >= 0; at = view.indexOf(marker.needle, at + 1)) {
          if (at + marker.needle.length === length) return false; // its line may go on in the next chunk
          if (marker.placed(view, at)) {
            this.from = at + marker.needle.length;
            break;
          }
        }
        if (this.from >= 0) break;
      }
      if (this.from < 0) return false;
    }
    return blankLineAfter(bytes, this.from, length);
  }
}

/** Whether a line end followed by an empty line comes at or after `from` (the end of an SSE event). */
function blankLineAfter(bytes: Uint8Array, from: number, length: number): boolean {
  for (let i = from; i < length; i++) {
    const b = bytes[i];
    if (b !== LF && b !== CR) continue;
    // A line ends at i (CRLF is one end); the next line is empty when a line end starts it.
    let next = i + 1;
    if (b === CR && next < length && bytes[next] === LF) next++;
    if (b === CR && next === length) return false; // an LF may follow in the next chunk
    // An empty line ended by a CR as the last byte held: the codec's parser waits for a possible LF, and so do we.
    if (next < length && bytes[next] === LF) return true;
    if (next < length && bytes[next] === CR) return next + 1 < length;
    i = next - 1;
  }
  return false;
}
