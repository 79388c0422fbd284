/**
 * A session's spans, from the report model and the read pass's extras (facts.ts):
 *
 *   invoke_agent <agent>                 one per agent thread (main loop of each process, each sub-agent)
 *   ├─ chat <model>                      one per exchange (CLIENT), times from the log
 *   ├─ execute_tool <tool>               from the response that asked for it to the request carrying its result
 *   │  └─ invoke_agent <agent> sub-agent  a sub-agent's thread, under the tool call that started it
 *   └─ chat <model> (utility calls)      single-call threads (title, quota, …) under their process's main agent
 *
 * A thread restarted after a compaction is a root of its own, linked to the compaction call. Ids: ids.ts.
 */
import type { ExchangeRow, ReportModel, ThreadRow } from '../model/types.js';
import { errorType, inferenceAttributes, inferenceName } from './attributes.js';
import { agentSpanId, exchangeSpanId, toolSpanId, traceIdOf } from './ids.js';
import { type ExchangeExtras, SPAN_KIND, type SpanRecord, STATUS } from './types.js';

/** Thread mechanisms that are an agent's loop (a thread of several calls is one too). */
const AGENT_MECHANISMS = new Set(['main-loop', 'tool-round-trip', 'post-compaction', 'sub-agent', 'compaction']);

const isAgentThread = (t: ThreadRow) =>
  !!t.spawnedBy || !!t.compactedFrom || AGENT_MECHANISMS.has(t.mechanism) || t.exchanges.length > 1;

export const extrasKey = (r: { pid: number; id: string }) => `${r.pid}/${r.id}`;

export function sessionSpans(model: ReportModel, extras: ReadonlyMap<string, ExchangeExtras>): SpanRecord[] {
  const m = new Mapper(model, extras);
  return m.build();
}

class Mapper {
  readonly session: string;
  readonly traceId: string;
  readonly rows: readonly ExchangeRow[];
  readonly spans = new Map<string, SpanRecord>();
  /** Agent span id by thread id (agent threads only). */
  readonly agentOf = new Map<string, string>();
  /** Tool span id by `<row index>|<tool call id>`. */
  readonly toolOf = new Map<string, string>();
  /** Each process's main agent thread (its longest thread that no tool call started). */
  readonly home = new Map<number, string>();

  constructor(
    readonly model: ReportModel,
    readonly extras: ReadonlyMap<string, ExchangeExtras>,
  ) {
    this.session = model.session.id;
    this.traceId = traceIdOf(this.session);
    this.rows = model.exchanges;
  }

  at = (r: ExchangeRow) => this.model.session.startedAt + r.start;
  endOf = (r: ExchangeRow) => this.at(r) + (r.duration ?? r.ttfb ?? 0);
  extra = (r: ExchangeRow) => this.extras.get(extrasKey(r));

  build(): SpanRecord[] {
    const agents = this.model.threads.filter(isAgentThread);
    for (const t of agents) {
      this.agentOf.set(t.id, agentSpanId(this.session, t.pid, this.rows[t.exchanges[0]!]!.id));
      const cur = this.home.get(t.pid);
      if (!t.spawnedBy && (!cur || this.threadSize(cur) < t.exchanges.length)) this.home.set(t.pid, t.id);
    }
    for (const r of this.rows) this.add(this.inferenceSpan(r));
    for (const r of this.rows) for (const s of this.toolSpans(r)) this.add(s);
    for (const t of agents) this.add(this.agentSpan(t));
    this.growParents();
    return [...this.spans.values()];
  }

  private threadSize(id: string): number {
    return this.model.threads.find((t) => t.id === id)?.exchanges.length ?? 0;
  }

  private add(s: SpanRecord): void {
    this.spans.set(s.spanId, s);
  }

  /** The agent span a row belongs under: its thread's, else (utility calls, warm-up) its process's main agent's. */
  private ownerSpan(r: ExchangeRow): string | undefined {
    const own = r.thread ? this.agentOf.get(r.thread) : undefined;
    if (own) return own;
    const home = this.home.get(r.pid) ?? this.home.values().next().value;
    return home ? this.agentOf.get(home) : undefined;
  }

  private inferenceSpan(r: ExchangeRow): SpanRecord {
    const attributes = inferenceAttributes(r, this.extra(r), this.session);
    if (r.retryOf !== undefined) attributes['agenttap.retry.of_exchange'] = this.rows[r.retryOf]!.id;
    const err = errorType(r);
    return {
      traceId: this.traceId,
      spanId: exchangeSpanId(this.session, r.pid, r.id),
      parentSpanId: this.ownerSpan(r),
      name: inferenceName(r),
      kind: SPAN_KIND.CLIENT,
      startMs: this.at(r),
      endMs: this.endOf(r),
      attributes,
      events: [],
      links: [],
      status: err ? { code: STATUS.ERROR, message: r.error ?? err } : { code: STATUS.UNSET },
    };
  }

  /** One span per tool call in the response: until the first later request (same process) carrying its result. */
  private toolSpans(r: ExchangeRow): SpanRecord[] {
    const calls = this.extra(r)?.toolCalls ?? [];
    return calls.map((c) => {
      const answer = this.rows.find((x) => x.i > r.i && x.pid === r.pid && this.extra(x)?.toolResults.has(c.id));
      const start = this.endOf(r);
      const spanId = toolSpanId(this.session, r.pid, r.id, c.id);
      this.toolOf.set(`${r.i}|${c.id}`, spanId);
      const attributes: SpanRecord['attributes'] = {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': c.name,
        'gen_ai.tool.call.id': c.id,
        'gen_ai.tool.type': 'function',
        'gen_ai.conversation.id': this.session,
        'agenttap.tool.answered': !!answer,
        'agenttap.exchange': r.id,
      };
      if (c.arguments !== undefined) attributes['gen_ai.tool.call.arguments'] = c.arguments;
      const result = answer ? this.extra(answer)?.toolResults.get(c.id) : undefined;
      if (result !== undefined) attributes['gen_ai.tool.call.result'] = result;
      return {
        traceId: this.traceId,
        spanId,
        parentSpanId: this.ownerSpan(r),
        name: `execute_tool ${c.name}`,
        kind: SPAN_KIND.INTERNAL,
        startMs: start,
        endMs: answer ? Math.max(start, this.at(answer)) : start,
        attributes,
        events: [],
        links: [],
        status: { code: STATUS.UNSET },
      };
    });
  }

  private agentSpan(t: ThreadRow): SpanRecord {
    const own = t.exchanges.map((i) => this.rows[i]!);
    const first = own[0]!;
    const spawned = t.spawnedBy;
    const parentSpanId = spawned
      ? (this.toolOf.get(`${spawned.exchange}|${spawned.toolUseId}`) ?? this.ownerSpan(this.rows[spawned.exchange]!))
      : undefined;
    const name = spawned ? `${first.agent} sub-agent` : first.agent;
    const attributes: SpanRecord['attributes'] = {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': name,
      'gen_ai.conversation.id': this.session,
      'agenttap.thread': t.id,
      'agenttap.pid': t.pid,
      'agenttap.mechanism': t.mechanism,
      'agenttap.calls': t.exchanges.length,
    };
    if (first.agentVersion) attributes['gen_ai.agent.version'] = first.agentVersion;
    const provider = this.extra(first)?.provider;
    if (provider) attributes['gen_ai.provider.name'] = provider;
    if (spawned) attributes['agenttap.spawned_by.tool_call_id'] = spawned.toolUseId;
    const links: SpanRecord['links'] = [];
    if (t.compactedFrom) {
      const c = this.rows[t.compactedFrom.exchange]!;
      attributes['agenttap.compacted_from.exchange'] = c.id;
      links.push({
        traceId: this.traceId,
        spanId: exchangeSpanId(this.session, c.pid, c.id),
        attributes: { 'agenttap.link': 'compaction' },
      });
    }
    return {
      traceId: this.traceId,
      spanId: this.agentOf.get(t.id)!,
      parentSpanId,
      name: `invoke_agent ${name}`,
      kind: SPAN_KIND.INTERNAL,
      startMs: Math.min(...own.map(this.at)),
      endMs: Math.max(...own.map(this.endOf)),
      attributes,
      events: [],
      links,
      status: { code: STATUS.UNSET },
    };
  }

  /** A parent spans its children: agent and tool spans grow to cover what ran under them (bounded by depth). */
  private growParents(): void {
    for (const s of this.spans.values()) {
      let child = s;
      for (let depth = 0; depth < 64 && child.parentSpanId; depth++) {
        const p = this.spans.get(child.parentSpanId);
        if (!p) break;
        p.startMs = Math.min(p.startMs, child.startMs);
        p.endMs = Math.max(p.endMs, child.endMs);
        child = p;
      }
    }
  }
}
