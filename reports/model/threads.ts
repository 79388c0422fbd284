/**
 * Threads of the report model, from the placement the reader made (placement.ts: each request continues the
 * latest earlier request whose messages it extends): the thread rows, each process's primary thread, the
 * thread's mechanism, and the compaction links (a compaction call, then the thread that restarts after it).
 */
import type { Draft } from '../read/read.js';
import type { ExchangeRow, ThreadRow } from './types.js';

export interface Threads {
  rows: Map<string, ThreadRow>;
  /** Each process's primary thread: its longest thread not started by a tool_use. */
  primary: Map<number, string>;
}

/** `index`: a draft's row index by its key (drafts in time order). */
export function threadsOf(drafts: readonly Draft[], index: ReadonlyMap<string, number>): Threads {
  const rows = new Map<string, ThreadRow>();
  for (const d of drafts) {
    if (!d.thread) continue;
    let t = rows.get(d.thread);
    if (!t) {
      t = { id: d.thread, pid: d.pid, exchanges: [], mechanism: 'unclassified' };
      rows.set(d.thread, t);
    }
    t.exchanges.push(index.get(d.key)!);
    if (d.spawnedBy && !t.spawnedBy)
      t.spawnedBy = { exchange: index.get(d.spawnedBy.key)!, toolUseId: d.spawnedBy.toolUseId, tool: d.spawnedBy.tool };
  }
  const primary = new Map<number, string>();
  for (const t of rows.values()) {
    if (t.spawnedBy) continue;
    const cur = primary.get(t.pid);
    if (!cur || rows.get(cur)!.exchanges.length < t.exchanges.length) primary.set(t.pid, t.id);
  }
  return { rows, primary };
}

/** Each thread's mechanism (its most frequent), then the compaction links, once the rows are classified. */
export function finishThreads(threads: Threads, rows: readonly ExchangeRow[]): void {
  for (const t of threads.rows.values()) {
    const counts = new Map<string, number>();
    for (const i of t.exchanges) counts.set(rows[i]!.mechanism, (counts.get(rows[i]!.mechanism) ?? 0) + 1);
    t.mechanism = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unclassified';
  }
  // The thread restart after a compaction: the next thread (not a sub-agent) started after the summary
  // came back — in the same process (automatic), else in a later one (`/compact`, then `claude -c`).
  const starts = rows.filter((x) => x.thread && x.parent === undefined && !x.spawnedBy && x.mechanism !== 'compaction');
  for (const r of rows) {
    if (r.mechanism !== 'compaction' || !r.thread) continue;
    const done = r.start + (r.duration ?? 0);
    const next =
      starts.find((x) => x.pid === r.pid && x.start >= done) ?? starts.find((x) => x.pid !== r.pid && x.start >= done);
    const t = next?.thread ? threads.rows.get(next.thread) : undefined;
    if (t && !t.compactedFrom) t.compactedFrom = { thread: r.thread, exchange: r.i };
  }
}
