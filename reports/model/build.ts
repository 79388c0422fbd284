/**
 * From drafts to the report model: order by time, classify (signatures need the whole process's
 * threads to know its primary one), link compactions, sum per mechanism, price.
 */
import { sessionFiles } from '../../src/log/read.js';
import { statSync } from 'node:fs';
import { Classifier } from '../../src/mechanisms/classify.js';
import { MECHANISM_LABELS, type SignatureSet } from '../../src/mechanisms/types.js';
import { shippedSets } from '../../src/mechanisms/user-file.js';
import { PriceTable, loadPriceTable } from '../../src/pricing/index.js';
import { collect, type CollectOptions, type Draft } from '../read/read.js';
import type { ExchangeRow, MechanismSummary, ReportModel, ThreadRow, TokenUsage } from './types.js';
import { joinAgentLabels, unclassifiedShapes } from './agent-labels.js';
import { findRetries } from './retries.js';
import { summarizeRewrites } from './rewrites.js';

export interface BuildOptions extends CollectOptions {
  /** User signature sets, tried before the shipped ones. */
  signatures?: SignatureSet[];
  prices?: PriceTable;
  onProgress?: (done: number, total: number) => void;
}

const MAIN_LINE = new Set(['main-loop', 'tool-round-trip', 'post-compaction', 'compaction']);
const MAX_WARNINGS = 100;
const MAX_REMINDERS = 2000;

export async function buildReport(path: string, options: BuildOptions = {}): Promise<ReportModel> {
  const files = sessionFiles(path);
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  const warnings: string[] = [];
  let warningCount = 0;
  const collected = await collect(files, {
    ...options,
    onWarning: (m) => {
      warningCount++;
      if (warnings.length < MAX_WARNINGS) warnings.push(m);
      options.onWarning?.(m);
    },
    onBytes: (b) => options.onProgress?.(b, total),
  });
  const prices = options.prices ?? loadPriceTable();
  const classifier = new Classifier([...(options.signatures ?? []), ...shippedSets()]);
  const drafts = collected.drafts.sort((a, b) => a.t - b.t);
  const index = new Map(drafts.map((d, i) => [d.key, i]));
  const retryOf = findRetries(drafts.map((d) => ({
    pid: d.pid,
    shape: d.node !== undefined ? `${d.node}|${d.systemHash ?? ''}|${d.toolsHash ?? ''}|${d.model ?? ''}|${d.endpoint}` : undefined,
    sdkCall: d.sdkCall,
    status: d.status,
    outcome: d.outcome,
  })));
  const t0 = Math.min(drafts[0]?.t ?? Infinity, ...collected.processes.map((p) => p.time));
  const startedAt = Number.isFinite(t0) ? t0 : 0;

  // Threads, and each process's primary thread (longest not started by a tool_use).
  const threads = new Map<string, { row: ThreadRow; drafts: Draft[] }>();
  for (const d of drafts) {
    if (!d.thread) continue;
    let t = threads.get(d.thread);
    if (!t) threads.set(d.thread, (t = { row: { id: d.thread, pid: d.pid, exchanges: [], mechanism: 'unclassified' }, drafts: [] }));
    t.row.exchanges.push(index.get(d.key)!);
    t.drafts.push(d);
    if (d.spawnedBy && !t.row.spawnedBy) t.row.spawnedBy = { exchange: index.get(d.spawnedBy.key)!, toolUseId: d.spawnedBy.toolUseId, tool: d.spawnedBy.tool };
  }
  const primary = new Map<number, string>();
  for (const t of threads.values()) {
    if (t.row.spawnedBy) continue;
    const cur = primary.get(t.row.pid);
    if (!cur || threads.get(cur)!.drafts.length < t.drafts.length) primary.set(t.row.pid, t.row.id);
  }

  for (const d of drafts) d.facts.primaryThread = d.thread !== undefined && primary.get(d.pid) === d.thread;
  // Each process's agent, from the exchanges that carry labels; lent to the ones that carry none.
  const first = drafts.map((d) => classifier.classify(d.facts));
  const processAgents = new Map<number, { agent: string; version?: string }>();
  first.forEach((c, i) => {
    if (c.agent !== 'unknown' && !processAgents.has(drafts[i]!.pid)) processAgents.set(drafts[i]!.pid, { agent: c.agent, version: c.agentVersion });
  });

  const unpricedModels = new Set<string>();
  const rows: ExchangeRow[] = drafts.map((d, i) => {
    const c = first[i]!.agent === 'unknown' && processAgents.has(d.pid) ? classifier.classify(d.facts, processAgents.get(d.pid)) : first[i]!;
    const model = d.responseModel ?? d.model;
    const cost = prices.cost(model, d.usage);
    if (cost === undefined && model && (d.usage.input || d.usage.output)) unpricedModels.add(model);
    const row: ExchangeRow = {
      i,
      id: d.id,
      pid: d.pid,
      thread: d.thread,
      parent: d.parentKey !== undefined ? index.get(d.parentKey) : undefined,
      parentMessages: d.parentMessages,
      start: round(d.t - startedAt),
      duration: d.duration,
      ttfb: d.ttfb,
      ttft: d.ttft,
      method: d.method,
      endpoint: d.endpoint,
      layer: d.layer,
      path: d.path,
      status: d.status,
      outcome: d.outcome,
      stream: d.stream,
      model: d.model,
      responseModel: d.responseModel,
      agent: c.agent,
      agentVersion: c.agentVersion,
      mechanism: c.mechanism,
      signature: c.signature,
      reasons: c.reasons,
      features: c.features,
      usage: d.usage,
      cost,
      context: d.context,
      stop: d.stop,
      error: d.error,
      spawnedBy: d.spawnedBy ? { exchange: index.get(d.spawnedBy.key)!, toolUseId: d.spawnedBy.toolUseId, tool: d.spawnedBy.tool } : undefined,
      reminders: d.reminders.map((r) => classifier.reminderKind(c.agent, r.text)),
      rewrite: collected.rewrites.get(d.key),
    };
    return row;
  });

  // A retry is an attempt of its first call: that call's mechanism, the attempts listed on the first row.
  for (const [i, first] of retryOf) {
    const r = rows[i]!;
    const f = rows[first]!;
    (f.attempts ??= [first]).push(i);
    // The attempt keeps its own signature and reasons (how it retried: e.g. the non-streaming fallback).
    Object.assign(r, { retryOf: first, attempt: f.attempts.length, mechanism: f.mechanism, agent: f.agent, agentVersion: f.agentVersion });
    r.reasons = [`attempt ${r.attempt} of #${first} (the same request after a failed attempt)`, ...r.reasons];
  }

  // Thread mechanism (most frequent), compaction links: a compaction call, then the next thread of the
  // same process that starts as a continuation.
  for (const t of threads.values()) {
    const counts = new Map<string, number>();
    for (const i of t.row.exchanges) counts.set(rows[i]!.mechanism, (counts.get(rows[i]!.mechanism) ?? 0) + 1);
    t.row.mechanism = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unclassified';
  }
  // The thread restart after a compaction: the next thread (not a sub-agent) started after the summary
  // came back — in the same process (automatic), else in a later one (`/compact`, then `claude -c`).
  const starts = rows.filter((x) => x.thread && x.parent === undefined && !x.spawnedBy && x.mechanism !== 'compaction');
  for (const r of rows) {
    if (r.mechanism !== 'compaction' || !r.thread) continue;
    const done = r.start + (r.duration ?? 0);
    const next = starts.find((x) => x.pid === r.pid && x.start >= done) ?? starts.find((x) => x.pid !== r.pid && x.start >= done);
    const t = next?.thread ? threads.get(next.thread) : undefined;
    if (t && !t.row.compactedFrom) t.row.compactedFrom = { thread: r.thread, exchange: r.i };
  }

  // The agent's own labels beside the signatures' (after retries: an attempt carries its call's mechanism).
  const agentLabels = joinAgentLabels(rows, collected.labels);

  // Per mechanism, in order of first call.
  const byMech = new Map<string, ExchangeRow[]>();
  for (const r of rows) {
    const list = byMech.get(r.mechanism) ?? [];
    list.push(r);
    byMech.set(r.mechanism, list);
  }
  const mechanisms: MechanismSummary[] = [...byMech].map(([id, list]) => summarize(id, list));
  const totals = { calls: rows.length - retryOf.size, retries: retryOf.size, usage: sumUsage(rows), cost: sum(rows.map((r) => r.cost ?? 0)), unpriced: rows.filter((r) => r.cost === undefined && (r.usage.input || r.usage.output)).length };

  // Prompt anatomy.
  const systems = new Map<string, { mechs: Set<string>; calls: number }>();
  const toolsets = new Map<string, { mechs: Set<string>; calls: number }>();
  const reminders: ReportModel['anatomy']['reminders'] = [];
  let remindersOmitted = 0;
  drafts.forEach((d, i) => {
    const mech = rows[i]!.mechanism;
    for (const [hash, map] of [[d.systemHash, systems], [d.toolsHash, toolsets]] as const) {
      if (!hash) continue;
      const e = map.get(hash) ?? { mechs: new Set<string>(), calls: 0 };
      e.mechs.add(mech);
      e.calls++;
      map.set(hash, e);
    }
    d.reminders.forEach((r, k) => {
      if (reminders.length >= MAX_REMINDERS) return void remindersOmitted++;
      reminders.push({ exchange: i, kind: rows[i]!.reminders[k]!, bytes: r.bytes, preview: r.text.slice(0, 200), hash: r.hash });
    });
  });

  const agents = new Map<string, { agent: string; version?: string; calls: number }>();
  for (const r of rows) {
    const k = `${r.agent}@${r.agentVersion ?? ''}`;
    const a = agents.get(k) ?? { agent: r.agent, version: r.agentVersion, calls: 0 };
    a.calls++;
    agents.set(k, a);
  }
  const end = Math.max(0, ...rows.map((r) => r.start + (r.duration ?? 0)));
  const unlinked = [...collected.rewrites].filter(([key]) => !index.has(key)).map(([, rewrite]) => ({ rewrite, linked: false }));
  const rewritten = rows.filter((r) => r.rewrite).map((r) => ({ rewrite: r.rewrite!, cost: r.cost, linked: true }));
  return {
    format: 'agenttap.report',
    version: 1,
    session: {
      id: collected.sessionId ?? path,
      path,
      files: files.length,
      bytes: total,
      processes: collected.processes.map(({ time: _t, ...p }) => p),
      startedAt,
      duration: round(end),
      warnings: warningCount > warnings.length ? [...warnings, `… ${warningCount - warnings.length} more`] : warnings,
      tapWarnings: collected.tapWarnings,
      unknownEvents: collected.unknownEvents,
    },
    agents: [...agents.values()],
    mechanisms,
    totals,
    exchanges: rows,
    threads: [...threads.values()].map((t) => t.row),
    mainLine: rows.filter((r) => MAIN_LINE.has(r.mechanism) && r.agent !== 'unknown').map((r) => r.i),
    anatomy: {
      systems: [...systems].map(([hash, e]) => {
        const s = collected.interned.systems.get(hash)!;
        return { hash, bytes: s.bytes, blocks: s.blocks, mechanisms: [...e.mechs], calls: e.calls };
      }),
      toolsets: [...toolsets].map(([hash, e]) => {
        const t = collected.interned.toolsets.get(hash)!;
        return { hash, bytes: t.bytes, tools: t.names.map((name, k) => ({ name, bytes: t.sizes[k]! })), mechanisms: [...e.mechs], calls: e.calls };
      }),
      reminders,
      remindersOmitted,
    },
    prices: { asOf: prices.file.as_of, unpricedModels: [...unpricedModels] },
    ...(collected.rewrites.size ? { rewrites: summarizeRewrites([...rewritten, ...unlinked]) } : {}),
    ...(agentLabels ? { agentLabels } : {}),
    unclassifiedShapes: unclassifiedShapes(rows, drafts.map((d) => d.facts)),
  };
}

export function mechanismLabel(id: string): string {
  return MECHANISM_LABELS[id] ?? id;
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
    unpriced: list.filter((r) => r.cost === undefined && (r.usage.input || r.usage.output)).length,
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
const round = (x: number) => Math.round(x * 1000) / 1000;

/** Nearest-rank percentile. */
export function pct(xs: number[], q: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!);
}
