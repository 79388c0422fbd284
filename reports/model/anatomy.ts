/** Prompt anatomy: each distinct system prompt and tool list with the mechanisms that sent it, and the reminders injected. */
import type { Draft, Interned } from '../read/read.js';
import type { ExchangeRow, ReportModel } from './types.js';

const MAX_REMINDERS = 2000;

export function anatomyOf(
  drafts: readonly Draft[],
  rows: readonly ExchangeRow[],
  interned: Interned,
): ReportModel['anatomy'] {
  const systems = new Map<string, { mechs: Set<string>; calls: number }>();
  const toolsets = new Map<string, { mechs: Set<string>; calls: number }>();
  const reminders: ReportModel['anatomy']['reminders'] = [];
  let remindersOmitted = 0;
  drafts.forEach((d, i) => {
    const mech = rows[i]!.mechanism;
    for (const [hash, map] of [
      [d.systemHash, systems],
      [d.toolsHash, toolsets],
    ] as const) {
      if (!hash) continue;
      const e = map.get(hash) ?? { mechs: new Set<string>(), calls: 0 };
      e.mechs.add(mech);
      e.calls++;
      map.set(hash, e);
    }
    d.reminders.forEach((r, k) => {
      if (reminders.length >= MAX_REMINDERS) {
        remindersOmitted++;
        return;
      }
      reminders.push({
        exchange: i,
        kind: rows[i]!.reminders[k]!,
        bytes: r.bytes,
        preview: r.text.slice(0, 200),
        hash: r.hash,
      });
    });
  });
  return {
    systems: [...systems].map(([hash, e]) => {
      const s = interned.systems.get(hash)!;
      return { hash, bytes: s.bytes, blocks: s.blocks, mechanisms: [...e.mechs], calls: e.calls };
    }),
    toolsets: [...toolsets].map(([hash, e]) => {
      const t = interned.toolsets.get(hash)!;
      return {
        hash,
        bytes: t.bytes,
        tools: t.names.map((name, k) => ({ name, bytes: t.sizes[k]! })),
        mechanisms: [...e.mechs],
        calls: e.calls,
      };
    }),
    reminders,
    remindersOmitted,
  };
}
