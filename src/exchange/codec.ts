/**
 * Internals shared by the response codecs: the capture budget, the per-stream context a codec
 * reports through, usage normalisation and a few small JSON helpers. Not part of the public API.
 */
import { isRecord } from './json.js';
import type { ApiError, ResponseSummary, Usage } from './types.js';

/** Default for `ObserverOptions.maxCaptureBytes`: 16 MiB of reassembled content. */
export const DEFAULT_MAX_CAPTURE_BYTES = 16 * 1024 * 1024;

/** Distinct unknown event types kept per response (a hostile stream must not grow the list). */
const MAX_UNKNOWN_EVENTS = 32;

export type Json = Record<string, unknown>;

/** What a codec reassembled; the observer adds `events`, `unknownEvents`, `truncated`, `parseError`. */
export type CodecResult = Pick<
  ResponseSummary,
  'body' | 'usage' | 'stopReason' | 'responseId' | 'responseModel' | 'error'
>;

/** One provider's SSE reassembly. `onEvent` may throw: the observer catches it. */
export interface StreamCodec {
  onEvent(eventName: string | undefined, data: string): void;
  result(): CodecResult;
}

/** UTF-8 length of a string, without encoding it. */
export function utf8Length(s: string): number {
  const n = s.length;
  if (n > 64) return Buffer.byteLength(s, 'utf8');
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // A surrogate pair: 4 bytes for 2 code units.
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/** The longest prefix of `s` whose UTF-8 encoding fits in `maxBytes`, never splitting a code point. */
export function utf8Prefix(s: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  let bytes = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    let size: number;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size = 4;
      units = 2;
    } else size = 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += units;
  }
  return s.slice(0, i);
}

/**
 * Bytes of reassembled content a response may keep. Past the limit, content stops being stored
 * (`truncated`), while events, usage and the stop reason are still tracked.
 */
export class CaptureBudget {
  used = 0;
  truncated = false;
  constructor(readonly max: number) {}

  /** `s`, or the prefix of it that still fits ('' once the budget is spent). */
  take(s: string): string {
    if (this.truncated) return '';
    const bytes = utf8Length(s);
    if (this.used + bytes <= this.max) {
      this.used += bytes;
      return s;
    }
    this.truncated = true;
    const prefix = utf8Prefix(s, this.max - this.used);
    this.used = this.max;
    return prefix;
  }

  /** Charges `bytes` for a whole object; false (and `truncated`) when it does not fit. */
  reserve(bytes: number): boolean {
    if (this.truncated) return false;
    if (this.used + bytes <= this.max) {
      this.used += bytes;
      return true;
    }
    this.truncated = true;
    return false;
  }

  /** Swaps an object charged `oldBytes` for one of `newBytes`; false (and `truncated`) when it does not fit. */
  replace(oldBytes: number, newBytes: number): boolean {
    if (this.truncated) return false;
    const used = this.used - oldBytes + newBytes;
    if (used <= this.max) {
      this.used = Math.max(0, used);
      return true;
    }
    this.truncated = true;
    return false;
  }
}

/** The per-response context a codec reports through. */
export class CodecContext {
  readonly budget: CaptureBudget;
  unknownEvents: string[] | undefined;
  private firstContentSeen = false;
  private semanticEndSeen = false;

  constructor(
    maxCaptureBytes: number,
    private readonly onFirstContent: (() => void) | undefined,
    private readonly onSemanticEnd: (() => void) | undefined,
  ) {
    this.budget = new CaptureBudget(maxCaptureBytes);
  }

  /** The first content token arrived (idempotent; a throwing callback is swallowed). */
  firstContent(): void {
    if (this.firstContentSeen) return;
    this.firstContentSeen = true;
    if (this.onFirstContent) {
      try {
        this.onFirstContent();
      } catch {
        // The tap's callback must not break the codec, nor the agent's stream.
      }
    }
  }

  /** The stream reached its protocol end (idempotent; a throwing callback is swallowed). */
  semanticEnd(): void {
    if (this.semanticEndSeen) return;
    this.semanticEndSeen = true;
    if (this.onSemanticEnd) {
      try {
        this.onSemanticEnd();
      } catch {
        // As above.
      }
    }
  }

  unknown(type: string): void {
    this.unknownEvents ??= [];
    const list = this.unknownEvents;
    if (list.length < MAX_UNKNOWN_EVENTS && !list.includes(type)) list.push(type);
  }
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Maps any provider's usage object onto `Usage` (Anthropic names). Chat Completions'
 * `prompt_tokens`/`completion_tokens` and the Responses API's `*_tokens_details` are recognised;
 * numbers are kept as the API sent them (Anthropic's `input_tokens` excludes cache tokens,
 * OpenAI's `prompt_tokens` includes cached ones).
 */
export function normalizeUsage(u: unknown): Usage | undefined {
  if (!isRecord(u)) return undefined;
  const out: Usage = {};
  const input = num(u.input_tokens) ?? num(u.prompt_tokens);
  if (input !== undefined) out.input_tokens = input;
  const output = num(u.output_tokens) ?? num(u.completion_tokens);
  if (output !== undefined) out.output_tokens = output;
  const promptDetails = u.prompt_tokens_details;
  const inputDetails = u.input_tokens_details;
  const cacheRead =
    num(u.cache_read_input_tokens) ??
    (isRecord(promptDetails) ? num(promptDetails.cached_tokens) : undefined) ??
    (isRecord(inputDetails) ? num(inputDetails.cached_tokens) : undefined);
  if (cacheRead !== undefined) out.cache_read_input_tokens = cacheRead;
  const cacheCreation = num(u.cache_creation_input_tokens);
  if (cacheCreation !== undefined) out.cache_creation_input_tokens = cacheCreation;
  const completionDetails = u.completion_tokens_details;
  const outputDetails = u.output_tokens_details;
  const reasoning =
    (isRecord(completionDetails) ? num(completionDetails.reasoning_tokens) : undefined) ??
    (isRecord(outputDetails) ? num(outputDetails.reasoning_tokens) : undefined);
  if (reasoning !== undefined) out.reasoning_tokens = reasoning;
  for (const _ in out) return out;
  return undefined;
}

/**
 * An `ApiError` from the shapes the APIs use: Anthropic's `{type:'error', error:{type,message}}`,
 * OpenAI's `{error:{message,type,code}}`, the Responses API's flat `{type:'error', code, message}`
 * and a failed response's `{code, message}`.
 */
export function errorFrom(body: unknown): ApiError | undefined {
  if (!isRecord(body)) return undefined;
  const inner = body.error;
  if (isRecord(inner)) {
    const type = str(inner.type) ?? str(inner.code) ?? str(body.type) ?? 'error';
    return { type, message: str(inner.message) ?? '' };
  }
  if (typeof inner === 'string') return { type: str(body.type) ?? 'error', message: inner };
  if (body.type === 'error' && (typeof body.message === 'string' || typeof body.code === 'string')) {
    return { type: str(body.code) ?? 'error', message: str(body.message) ?? '' };
  }
  return undefined;
}

/**
 * Cuts the strings inside a parsed JSON value so that they add up to at most `budget` UTF-8 bytes
 * (in document order). Used when a whole final object (a Responses API `response.completed`) is
 * larger than what is left of the capture limit. Returns the bytes kept.
 */
export function clampStrings(value: unknown, budget: number): number {
  let left = budget;
  const walk = (v: unknown, set: (s: string) => void): void => {
    if (typeof v === 'string') {
      const bytes = utf8Length(v);
      if (bytes <= left) left -= bytes;
      else {
        set(utf8Prefix(v, left));
        left = 0;
      }
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], (s) => (v[i] = s));
    } else if (isRecord(v)) {
      for (const k of Object.keys(v)) walk(v[k], (s) => (v[k] = s));
    }
  };
  walk(value, () => undefined);
  return budget - left;
}
