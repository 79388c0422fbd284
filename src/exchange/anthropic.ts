/**
 * Anthropic Messages API: reassembles the SSE stream into the `Message` that
 * `client.messages.stream(...).finalMessage()` returns (the accumulation mirrors the SDK's
 * `MessageStream`, plus the beta additions of `BetaMessageStream`), and summarises plain
 * `Message`, `count_tokens` and error JSON bodies.
 */
import {
  type CodecContext,
  type CodecResult,
  type Json,
  type StreamCodec,
  errorFrom,
  normalizeUsage,
  str,
} from './codec.js';
import { isRecord } from './json.js';
import type { ApiError } from './types.js';

/** Block types whose `input` is streamed as `input_json_delta` (as the SDK's `tracksToolInput`). */
function tracksToolInput(type: unknown): boolean {
  return type === 'tool_use' || type === 'server_tool_use' || type === 'mcp_tool_use';
}

export class AnthropicStreamCodec implements StreamCodec {
  private message: Json | undefined;
  private content: unknown[] = [];
  /** Partial tool-input JSON per content index, until `content_block_stop`. */
  private json: (string | undefined)[] = [];
  /** Indexes whose partial JSON was cut at the capture limit. */
  private jsonCut: Set<number> | undefined;
  private error: ApiError | undefined;

  constructor(private readonly ctx: CodecContext) {}

  onEvent(eventName: string | undefined, data: string): void {
    if (eventName === 'error') {
      this.onError(data);
      return;
    }
    const ev: unknown = JSON.parse(data);
    if (!isRecord(ev)) {
      this.ctx.unknown(eventName ?? typeof ev);
      return;
    }
    const type = typeof ev.type === 'string' ? ev.type : (eventName ?? '');
    switch (type) {
      case 'content_block_delta':
        this.onDelta(ev);
        return;
      case 'ping':
        return;
      case 'message_start':
        this.onMessageStart(ev);
        return;
      case 'content_block_start':
        this.onBlockStart(ev, data.length);
        return;
      case 'content_block_stop':
        if (typeof ev.index === 'number') this.finishInput(ev.index);
        return;
      case 'message_delta':
        this.onMessageDelta(ev);
        return;
      case 'message_stop':
        this.ctx.semanticEnd();
        return;
      case 'error':
        this.error = errorFrom(ev) ?? { type: 'error', message: data };
        return;
      default:
        this.ctx.unknown(type);
    }
  }

  private onError(data: string): void {
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch {
      body = undefined;
    }
    this.error = errorFrom(body) ?? { type: 'error', message: data };
  }

  private onMessageStart(ev: Json): void {
    const message = ev.message;
    if (!isRecord(message)) return;
    if (!Array.isArray(message.content)) message.content = [];
    if (!isRecord(message.usage)) message.usage = {};
    this.message = message;
    this.content = message.content as unknown[];
    this.json = [];
    this.jsonCut = undefined;
  }

  private onBlockStart(ev: Json, size: number): void {
    const block = ev.content_block;
    if (!this.message || !isRecord(block)) return;
    const type = block.type;
    // The block skeleton (or a server tool result that arrives whole) counts against the limit;
    // past it, no new block is kept and deltas for it are ignored.
    if (!this.ctx.budget.reserve(size)) return;
    this.content.push(block);
    if (type === 'fallback' && isRecord(block.to) && typeof block.to.model === 'string') {
      this.message.model = block.to.model;
    }
  }

  private onDelta(ev: Json): void {
    const delta = ev.delta;
    const index = ev.index;
    if (!isRecord(delta) || typeof index !== 'number') return;
    const block = this.message ? this.content[index] : undefined;
    const b = isRecord(block) ? block : undefined;
    const budget = this.ctx.budget;
    switch (delta.type) {
      case 'text_delta': {
        const text = str(delta.text) ?? '';
        if (text) this.ctx.firstContent();
        if (b?.type === 'text') b.text = (str(b.text) ?? '') + budget.take(text);
        return;
      }
      case 'input_json_delta': {
        const part = str(delta.partial_json) ?? '';
        if (part) this.ctx.firstContent();
        if (b && tracksToolInput(b.type)) {
          const kept = budget.take(part);
          if (kept.length < part.length) {
            this.jsonCut ??= new Set();
            this.jsonCut.add(index);
          }
          this.json[index] = (this.json[index] ?? '') + kept;
        }
        return;
      }
      case 'thinking_delta': {
        const thinking = str(delta.thinking) ?? '';
        if (thinking) this.ctx.firstContent();
        if (b?.type === 'thinking') b.thinking = (str(b.thinking) ?? '') + budget.take(thinking);
        return;
      }
      case 'signature_delta':
        if (b?.type === 'thinking') {
          const signature = str(delta.signature) ?? '';
          const kept = budget.take(signature);
          if (kept.length === signature.length) b.signature = signature;
        }
        return;
      case 'citations_delta':
        if (b?.type === 'text' && budget.reserve(JSON.stringify(delta.citation ?? null).length)) {
          const citations = b.citations;
          if (Array.isArray(citations)) citations.push(delta.citation);
          else b.citations = [delta.citation];
        }
        return;
      case 'compaction_delta':
        // Beta: the delta carries the block's final value.
        if (b?.type === 'compaction') {
          const content = delta.content;
          if (typeof content !== 'string' || budget.take(content).length === content.length) b.content = content;
          if ('encrypted_content' in delta) b.encrypted_content = delta.encrypted_content;
        }
        return;
      default:
        this.ctx.unknown(`content_block_delta.${String(delta.type)}`);
    }
  }

  /** Parses a tool block's accumulated input JSON (`{}` when none), at its stop or at the end. */
  private finishInput(index: number): void {
    const json = this.json[index];
    if (json === undefined) return;
    this.json[index] = undefined;
    const block = this.content[index];
    if (!isRecord(block)) return;
    if (this.jsonCut?.has(index)) {
      // Cut at the capture limit: keep the raw prefix rather than invent an object.
      block.input = json;
      return;
    }
    if (json === '') {
      block.input = {};
      return;
    }
    try {
      block.input = JSON.parse(json);
    } catch {
      // Not valid JSON (the API broke it, or the stream was cut): keep what was sent.
      block.input = json;
    }
  }

  private onMessageDelta(ev: Json): void {
    const message = this.message;
    if (!message) return;
    const delta = isRecord(ev.delta) ? ev.delta : {};
    // As the SDK: these three are assigned whether or not the delta has them.
    for (const key of ['stop_reason', 'stop_sequence', 'stop_details'] as const) {
      if (delta[key] !== undefined) message[key] = delta[key];
      else delete message[key];
    }
    if (delta.container != null) message.container = delta.container;
    if (ev.context_management != null) message.context_management = ev.context_management;
    if (ev.input_transformations != null) message.input_transformations = ev.input_transformations;
    const usage = ev.usage;
    if (isRecord(usage)) {
      const target = message.usage as Json;
      if (usage.output_tokens !== undefined) target.output_tokens = usage.output_tokens;
      // The other counters are whole-message totals, omitted when they do not apply:
      // overwrite when present, never add (as the SDK).
      for (const key in usage) {
        if (key !== 'output_tokens' && usage[key] != null) target[key] = usage[key];
      }
    }
  }

  result(): CodecResult {
    for (let i = 0; i < this.json.length; i++) this.finishInput(i);
    const message = this.message;
    const out: CodecResult = { body: message };
    if (message) Object.assign(out, summarizeMessage(message));
    if (this.error) out.error = this.error;
    return out;
  }
}

function summarizeMessage(message: Json): Omit<CodecResult, 'body'> {
  const out: Omit<CodecResult, 'body'> = {};
  const usage = normalizeUsage(message.usage);
  if (usage) out.usage = usage;
  const stopReason = str(message.stop_reason);
  if (stopReason) out.stopReason = stopReason;
  const id = str(message.id);
  if (id) out.responseId = id;
  const model = str(message.model);
  if (model) out.responseModel = model;
  return out;
}

/** A plain (non-streamed) Anthropic body: a `Message`, a `count_tokens` result or an error. */
export function summarizeAnthropicJson(body: unknown): CodecResult {
  const out: CodecResult = { body };
  if (!isRecord(body)) return out;
  const error = body.type === 'error' ? errorFrom(body) : undefined;
  if (error) out.error = error;
  // `count_tokens` answers `{input_tokens}`: a count, not tokens spent, so it is not `usage`.
  if (body.type === 'message') Object.assign(out, summarizeMessage(body));
  return out;
}
