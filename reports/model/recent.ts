/** Bounded maps of what was used last (the report's per-conversation state: placement.ts, read/chain.ts). */

/** `map`'s entry for `key`, made if missing, as the most recent; the oldest beyond `limit` dropped. */
export function recentEntry<V>(
  map: Map<string, V>,
  key: string,
  limit: number,
  make: () => V,
  dropped?: (v: V) => void,
): V {
  let entry = map.get(key);
  if (entry === undefined) entry = make();
  else map.delete(key);
  map.set(key, entry);
  if (map.size > limit) {
    const [oldest, value] = map.entries().next().value!;
    map.delete(oldest);
    dropped?.(value);
  }
  return entry;
}
