/**
 * Deep-copies a JSON value and records where its strings live, so they can be scanned as one
 * batch and patched into the copy afterwards. The input is never touched.
 */

export interface StringSlot {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  text: string;
  /** The object key the string is stored under (`undefined` in arrays and at the root). */
  parentKey: string | undefined;
  /** In an array, the string just before it (argv: `["--token", "<value>"]`). */
  previous?: string;
}

export function setProperty(holder: Record<string, unknown> | unknown[], key: string | number, v: unknown): void {
  if (key === '__proto__') {
    // A plain assignment would set the copy's prototype instead of an own property.
    Object.defineProperty(holder, key, { value: v, enumerable: true, writable: true, configurable: true });
  } else {
    (holder as Record<string | number, unknown>)[key] = v;
  }
}

/** `root[0]` is the copy; read it after patching slots (a bare string root is patched in `root`). */
export function copyAndCollect(value: unknown, minLength: number): { root: unknown[]; slots: StringSlot[] } {
  const slots: StringSlot[] = [];
  const path = new Set<object>();

  const visit = (
    v: unknown,
    holder: Record<string, unknown> | unknown[],
    key: string | number,
    parentKey: string | undefined,
    callToJSON = true,
    previous?: string,
  ): void => {
    if (typeof v === 'string') {
      setProperty(holder, key, v);
      if (v.length >= minLength)
        slots.push({ holder, key, text: v, parentKey, ...(previous !== undefined ? { previous } : {}) });
      return;
    }
    if (typeof v !== 'object' || v === null) {
      setProperty(holder, key, v);
      return;
    }
    // What reaches the log is what JSON.stringify writes, so follow its toJSON convention.
    const withToJSON = v as { toJSON?: (key: string) => unknown };
    if (callToJSON && typeof withToJSON.toJSON === 'function') {
      // Called once, like JSON.stringify does (a toJSON returning `this` must not loop).
      visit(withToJSON.toJSON(String(key)), holder, key, parentKey, false);
      return;
    }
    if (path.has(v)) throw new TypeError('redact: value contains a cycle');
    path.add(v);
    if (Array.isArray(v)) {
      const out: unknown[] = new Array<unknown>(v.length);
      setProperty(holder, key, out);
      for (let i = 0; i < v.length; i++) {
        const before: unknown = i > 0 ? v[i - 1] : undefined;
        visit(v[i], out, i, undefined, true, typeof before === 'string' ? before : undefined);
      }
    } else {
      const out: Record<string, unknown> = {};
      setProperty(holder, key, out);
      for (const k of Object.keys(v)) visit((v as Record<string, unknown>)[k], out, k, k);
    }
    path.delete(v);
  };

  const root: unknown[] = [];
  visit(value, root, 0, undefined);
  return { root, slots };
}
