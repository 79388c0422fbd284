/**
 * From the read pass to the report model:
 *
 *   drafts (read/) ─► time order ─► threads (rows, primary thread) ─► classify once ─► rows, retries joined
 *                 ─► thread mechanisms, compaction links ─► agent labels ─► sums, anatomy, rewrites, prices
 *
 * The drafts are read, never written back.
 */
import { statSync } from 'node:fs';
import { sessionFiles } from '../../src/log/read.js';
import { Classifier } from '../../src/mechanisms/classify.js';
import type { SignatureSet } from '../../src/mechanisms/types.js';
import { shippedSets } from '../../src/mechanisms/shipped.js';
import { defaultPriceTable, type PriceTable } from '../../src/pricing/table.js';
import { collect, type CollectOptions, type CollectResult, type Draft } from '../read/read.js';
import { joinAgentLabels, unclassifiedShapes } from './agent-labels.js';
import { anatomyOf } from './anatomy.js';
import { classifyAll } from './classify.js';
import { findRetries } from './retries.js';
import { summarizeRewrites } from './rewrites.js';
import { joinRetries, rowOf } from './rows.js';
import { agentsOf, mechanismsOf, round, totalsOf } from './summaries.js';
import { finishThreads, threadsOf } from './threads.js';
import type { ExchangeRow, ReportModel } from './types.js';

export { mechanismLabel, pct } from './summaries.js';

export interface BuildOptions extends CollectOptions {
  /** User signature sets, tried before the shipped ones. */
  signatures?: SignatureSet[];
  prices?: PriceTable;
  onProgress?: (done: number, total: number) => void;
}

const MAIN_LINE = new Set(['main-loop', 'tool-round-trip', 'post-compaction', 'compaction']);
const MAX_WARNINGS = 100;

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
  const prices = options.prices ?? defaultPriceTable();
  const classifier = new Classifier([...(options.signatures ?? []), ...shippedSets()]);
  const drafts = collected.drafts.sort((a, b) => a.t - b.t);
  const index = new Map(drafts.map((d, i) => [d.key, i]));
  const t0 = Math.min(drafts[0]?.t ?? Infinity, ...collected.processes.map((p) => p.time));
  const startedAt = Number.isFinite(t0) ? t0 : 0;

  const threads = threadsOf(drafts, index);
  const classes = classifyAll(drafts, classifier, threads.primary);
  const unpriced = new Set<string>();
  const rows = drafts.map((d, i) =>
    rowOf(d, i, classes[i]!, { index, startedAt, prices, classifier, rewrites: collected.rewrites, unpriced }),
  );
  const retryOf = findRetries(drafts.map(attemptFacts));
  joinRetries(rows, retryOf);
  finishThreads(threads, rows);
  // The agent's own labels beside the signatures' (after retries: an attempt carries its call's mechanism).
  const agentLabels = joinAgentLabels(rows, collected.labels);

  const end = Math.max(0, ...rows.map((r) => r.start + (r.duration ?? 0)));
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
    agents: agentsOf(rows),
    mechanisms: mechanismsOf(rows),
    totals: totalsOf(rows, retryOf.size),
    exchanges: rows,
    threads: [...threads.rows.values()],
    mainLine: rows.filter((r) => MAIN_LINE.has(r.mechanism) && r.agent !== 'unknown').map((r) => r.i),
    anatomy: anatomyOf(drafts, rows, collected.interned),
    prices: { asOf: prices.file.as_of, unpricedModels: [...unpriced] },
    ...(collected.rewrites.size ? { rewrites: rewritesOf(collected, rows, index) } : {}),
    ...(agentLabels ? { agentLabels } : {}),
    unclassifiedShapes: unclassifiedShapes(
      rows,
      drafts.map((d) => d.facts),
    ),
  };
}

/** What tells a retry from a new call (retries.ts): the same request shape, the SDK's own call id, the outcome. */
function attemptFacts(d: Draft) {
  return {
    pid: d.pid,
    shape:
      d.node !== undefined
        ? `${d.node}|${d.systemHash ?? ''}|${d.toolsHash ?? ''}|${d.model ?? ''}|${d.endpoint}`
        : undefined,
    sdkCall: d.sdkCall,
    status: d.status,
    outcome: d.outcome,
  };
}

/** The rewrite decisions: those joined to an exchange (with its cost), and those whose exchange is not in the log. */
function rewritesOf(collected: CollectResult, rows: readonly ExchangeRow[], index: ReadonlyMap<string, number>) {
  const unlinked = [...collected.rewrites]
    .filter(([key]) => !index.has(key))
    .map(([, rewrite]) => ({ rewrite, linked: false }));
  const rewritten = rows.filter((r) => r.rewrite).map((r) => ({ rewrite: r.rewrite!, cost: r.cost, linked: true }));
  return summarizeRewrites([...rewritten, ...unlinked]);
}
