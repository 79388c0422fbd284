/** A draft and its classification as the row the report shows; retries joined to their call's first attempt. */
import type { Classifier } from '../../src/mechanisms/classify.js';
import type { Classification } from '../../src/mechanisms/types.js';
import type { PriceTable } from '../../src/pricing/table.js';
import type { CollectResult, Draft } from '../read/read.js';
import { round } from './summaries.js';
import type { ExchangeRow } from './types.js';

export interface RowContext {
  index: ReadonlyMap<string, number>;
  startedAt: number;
  prices: PriceTable;
  classifier: Classifier;
  rewrites: CollectResult['rewrites'];
  /** Models seen without a price (filled). */
  unpriced: Set<string>;
}

export function rowOf(d: Draft, i: number, c: Classification, x: RowContext): ExchangeRow {
  const model = d.responseModel ?? d.model;
  const cost = x.prices.cost(model, d.usage);
  if (cost === undefined && model && (d.usage.input || d.usage.output)) x.unpriced.add(model);
  return {
    i,
    id: d.id,
    pid: d.pid,
    thread: d.thread,
    parent: d.parentKey !== undefined ? x.index.get(d.parentKey) : undefined,
    parentMessages: d.parentMessages,
    start: round(d.t - x.startedAt),
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
    spawnedBy: d.spawnedBy
      ? { exchange: x.index.get(d.spawnedBy.key)!, toolUseId: d.spawnedBy.toolUseId, tool: d.spawnedBy.tool }
      : undefined,
    reminders: d.reminders.map((r) => x.classifier.reminderKind(c.agent, r.text)),
    rewrite: x.rewrites.get(d.key),
  };
}

/** A retry is an attempt of its first call: that call's mechanism, the attempts listed on the first row. */
export function joinRetries(rows: ExchangeRow[], retryOf: ReadonlyMap<number, number>): void {
  for (const [i, first] of retryOf) {
    const r = rows[i]!;
    const f = rows[first]!;
    f.attempts ??= [first];
    f.attempts.push(i);
    // The attempt keeps its own signature and reasons (how it retried: e.g. the non-streaming fallback).
    Object.assign(r, {
      retryOf: first,
      attempt: f.attempts.length,
      mechanism: f.mechanism,
      agent: f.agent,
      agentVersion: f.agentVersion,
    });
    r.reasons = [`attempt ${r.attempt} of #${first} (the same request after a failed attempt)`, ...r.reasons];
  }
}
