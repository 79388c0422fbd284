/** Sums of the report model: per mechanism (lane order: first call), the session's totals, per agent. */
import { MECHANISM_LABELS } from '../../src/mechanisms/types.js';
import type { ExchangeRow, MechanismSummary, ReportModel, TokenUsage } from './types.js';

export function mechanismLabel(id: string): string {
  return MECHANISM_LABELS[id] ?? id;
}

export function mechanismsOf(rows: readonly ExchangeRow[]): MechanismSummary[] {
  const byMech = new Map<string, ExchangeRow[]>();
  for (const r of rows) {
    const list = byMech.get(r.mechanism) ?? [];
    list.push(r);
    byMech.set(r.mechanism, list);
  }
  return [...byMech].map(([id, list]) => summarize(id, list));
}

const unpriced = (list: readonly ExchangeRow[]) =>
  list.filter((r) => r.cost === undefined && (r.usage.input || r.usage.output)).length;

export function totalsOf(rows: readonly ExchangeRow[], retries: number): ReportModel['totals'] {
  return {
    calls: rows.length - retries,
    retries,
    usage: sumUsage(rows),
    cost: sum(rows.map((r) => r.cost ?? 0)),
    unpriced: unpriced(rows),
  };
}

export function agentsOf(rows: readonly ExchangeRow[]): ReportModel['agents'] {
  const agents = new Map<string, { agent: string; version?: string; calls: number }>();
  for (const r of rows) {
    const k = `${r.agent}@${r.agentVersion ?? ''}`;
    const a = agents.get(k) ?? { agent: r.agent, version: r.agentVersion, calls: 0 };
    a.calls++;
    agents.set(k, a);
  }
  return [...agents.values()];
}

function summarize(id: string, list: ExchangeRow[]): MechanismSummary {
  const durations = list.map((r) => r.duration).filter((x): x is number => x !== undefined);
  const ttfts = list.map((r) => r.ttft).filter((x): x is number => x !== undefined);
  return {
    id,
    label: mechanismLabel(id),
    calls: list.filter((r) => r.retryOf === undefined).length,
    retries: list.filter((r) => r.retryOf !== undefined).length,
    usage: sumUsage(list),
    cost: sum(list.map((r) => r.cost ?? 0)),
    unpriced: unpriced(list),
    latency: { p50: pct(durations, 0.5), p95: pct(durations, 0.95) },
    ttft: { p50: pct(ttfts, 0.5), p95: pct(ttfts, 0.95) },
    models: [...new Set(list.map((r) => r.responseModel ?? r.model).filter((m): m is string => !!m))],
    errors: list.filter((r) => r.error || (r.outcome && r.outcome !== 'complete')).length,
  };
}

function sumUsage(rows: readonly { usage: TokenUsage }[]): TokenUsage {
  const u = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const r of rows) {
    u.input += r.usage.input;
    u.output += r.usage.output;
    u.cacheRead += r.usage.cacheRead;
    u.cacheWrite += r.usage.cacheWrite;
  }
  return u;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
export const round = (x: number) => Math.round(x * 1000) / 1000;

/** Nearest-rank percentile. */
export function pct(xs: number[], q: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!);
}
