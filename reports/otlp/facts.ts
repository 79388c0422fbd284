/**
 * What a span needs that the report model does not keep, gathered during the report's one read pass (a
 * `ReadSubscriber`, like the HTML detail): request parameters, the response id, the tool calls a response made
 * and the tool results a request carried back, and — with content on — the messages in the conventions' shapes.
 */
import { maxTokensOf, responseToolCalls } from '../../src/exchange/body.js';
import { isRecord } from '../../src/exchange/json.js';
import type { Endpoint } from '../../src/exchange/types.js';
import type { Draft } from '../read/read.js';
import type { ReadSubscriber, RequestRead } from '../read/subscriber.js';
import { capJson, inputMessages, outputMessages, type Part, systemInstructions, toolDefinitions } from './content.js';
import type { ExchangeExtras, MappingOptions } from './types.js';

/** Default cap per content attribute: 64 KiB of JSON (backends cut long attributes; Tempo's default is 2 KiB/value). */
export const DEFAULT_MAX_CONTENT = 64 * 1024;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export class SpanFacts implements ReadSubscriber {
  readonly extras = new Map<string, ExchangeExtras>();
  /** With content on: each request's whole message list (the parent's prefix + what it added), by draft key. */
  private readonly lists = new Map<string, unknown[]>();
  private readonly content: boolean;
  private readonly max: number;

  constructor(options: MappingOptions = {}) {
    this.content = options.content === true;
    this.max = options.maxContent ?? DEFAULT_MAX_CONTENT;
  }

  request(r: RequestRead): void {
    const d = r.draft;
    const x: ExchangeExtras = { provider: d.provider, toolCalls: [], toolResults: new Map() };
    this.extras.set(d.key, x);
    const body = r.body;
    if (!body) return;
    x.maxTokens = maxTokensOf(body, d.endpoint as Endpoint);
    x.temperature = num(body.temperature);
    x.topP = num(body.top_p);
    x.topK = num(body.top_k);
    const stop = body.stop_sequences ?? body.stop;
    if (typeof stop === 'string') x.stopSequences = [stop];
    else if (Array.isArray(stop)) x.stopSequences = stop.filter((s): s is string => typeof s === 'string');
    for (const m of r.added) for (const [id, result] of toolResults(m)) x.toolResults.set(id, this.cap(result));
    if (!this.content) return;
    const list = [...(r.parent ? (this.lists.get(r.parent.key) ?? []).slice(0, d.parentMessages) : []), ...r.added];
    this.lists.set(d.key, list);
    x.content = { input: capJson(inputMessages(list), this.max, asMessage) };
    const system = body.system ?? body.instructions;
    if (system !== undefined && d.systemHash)
      x.content.system = capJson(systemInstructions(r.interned.systems.get(d.systemHash)?.texts ?? []), this.max);
    if (d.facts.tools.length) x.content.tools = capJson(toolDefinitions(d.facts.tools), this.max);
  }

  end(d: Draft, body: unknown): void {
    const x = this.extras.get(d.key);
    if (!x) return;
    if (isRecord(body) && typeof body.id === 'string') x.responseId = body.id;
    x.toolCalls = responseToolCalls(body).map((c) => ({
      id: c.id,
      name: c.name,
      arguments: this.content ? capJson(c.input ?? {}, this.max) : undefined,
    }));
    if (this.content) x.content = { ...x.content, output: capJson(outputMessages(body), this.max, asMessage) };
  }

  /** A tool result as capped JSON, only with content on (the id alone times the tool span). */
  private cap(result: unknown): string | undefined {
    return this.content ? capJson(result, this.max) : undefined;
  }
}

/** The cut marker as an item of a message list. */
const asMessage = (cut: Part) => ({ role: 'system', parts: [cut] });

/** Tool results a message carries back: Anthropic `tool_result` blocks, Chat `tool` messages, Responses outputs. */
function toolResults(m: unknown): [string, unknown][] {
  if (!isRecord(m)) return [];
  if (m.type === 'function_call_output' && typeof m.call_id === 'string') return [[m.call_id, m.output]];
  if (m.role === 'tool' && typeof m.tool_call_id === 'string') return [[m.tool_call_id, m.content]];
  if (!Array.isArray(m.content)) return [];
  return m.content
    .filter((b) => isRecord(b) && b.type === 'tool_result' && typeof b.tool_use_id === 'string')
    .map((b) => [String((b as Record<string, unknown>).tool_use_id), (b as Record<string, unknown>).content]);
}
