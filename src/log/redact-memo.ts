/**
 * Redaction results kept by the exact text they were made from, for what an agent sends again every turn: the URL,
 * each header (an SDK sends the same ones every turn; a response's differ only in a date and an id). Scanning them
 * again was a third of the capture worker's fixed work per exchange (issue 13). Keyed by the whole content redacted
 * (a header by its name and value: the name decides whether the value is a credential), never by a position or a
 * name alone, so anything not seen before is scanned. In memory only, bounded: an entry evicted costs a re-scan.
 */
import type { Redactor } from '../policy/redact/types.js';
import { redactUrl } from './redact-url.js';

/** Entries kept (oldest evicted first); a header pair or URL is rarely more than a few hundred characters. */
const LIMIT = 4096;
/** Longer texts are redacted each time (a cache of them would hold too much raw text). */
const MAX_CHARS = 4096;

export class RedactMemo {
  private readonly urls = new Map<string, string>();
  private readonly pairs = new Map<string, string>();
  private readonly addresses = new Map<string, { hostname: string; port: string }>();

  /** `redactUrl(redactor, url)`, once per distinct URL. */
  url(redactor: Redactor, url: string): string {
    if (url.length > MAX_CHARS) return redactUrl(redactor, url);
    const cached = this.urls.get(url);
    if (cached !== undefined) return cached;
    const redacted = redactUrl(redactor, url);
    remember(this.urls, url, redacted);
    return redacted;
  }

  /** A URL's host and port as `new URL()` reads them (it throws for what is not a URL: nothing is kept then). */
  address(url: string): { hostname: string; port: string } {
    let found = this.addresses.get(url);
    if (found === undefined) {
      const { hostname, port } = new URL(url);
      found = { hostname, port };
      if (url.length <= MAX_CHARS) remember(this.addresses, url, found);
    }
    return found;
  }

  /**
   * `redactor.headers(headers)`, scanning only the name–value pairs not seen before (as one batch): each value's
   * redaction depends on its name and itself alone (redact/index.ts redactHeaders).
   */
  headers(redactor: Redactor, headers: Record<string, string>): Record<string, string> {
    const names = Object.keys(headers);
    const keys: (string | undefined)[] = [];
    const known: (string | undefined)[] = [];
    const fresh: Record<string, string> = {};
    let misses = 0;
    for (const name of names) {
      const value = headers[name];
      // Not a string: the redactor refuses it (fail closed), so it gets the whole set as it came.
      if (typeof value !== 'string') return redactor.headers(headers);
      // The name's length first: no two pairs make the same key.
      const key = name.length + value.length > MAX_CHARS ? undefined : `${name.length}:${name}${value}`;
      const hit = key === undefined ? undefined : this.pairs.get(key);
      keys.push(key);
      known.push(hit);
      if (hit === undefined) {
        put(fresh, name, value);
        misses++;
      }
    }
    const redacted = misses > 0 ? redactor.headers(fresh) : undefined;
    const out: Record<string, string> = {};
    names.forEach((name, i) => {
      let value = known[i];
      if (value === undefined) {
        value = (redacted as Record<string, string>)[name] as string;
        if (keys[i] !== undefined) remember(this.pairs, keys[i], value);
      }
      put(out, name, value);
    });
    return out;
  }
}

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= LIMIT) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** `holder[key] = value` as an own property, `__proto__` too (the recorder is on the start-up path: no redact/walk.ts). */
function put(holder: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(holder, key, { value, enumerable: true, writable: true, configurable: true });
}
