/**
 * OpenAI Responses API: events reassembled into the `Response` (the one `response.completed`/`failed`/
 * `incomplete` carries when it arrives), and the summary of a `Response` body.
 */
import {
  type CodecContext,
  type CodecResult,
  type Json,
  type StreamCodec,
  clampStrings,
  errorFrom,
  normalizeUsage,
  str,
} from './codec.js';
import { isRecord } from './json.js';
import type { ApiError } from './types.js';

/** Event types that need nothing reassembled (the items they describe arrive whole). */
const RESPONSES_PASSIVE = new Set([
  'response.audio.delta',
  'response.audio.done',
  'response.audio.transcript.delta',
  'response.audio.transcript.done',
  'response.compaction.compacting',
  'response.code_interpreter_call.in_progress',
  'response.code_interpreter_call.interpreting',
  'response.code_interpreter_call.completed',
  'response.file_search_call.in_progress',
  'response.file_search_call.searching',
  'response.file_search_call.completed',
  'response.web_search_call.in_progress',
  'response.web_search_call.searching',
  'response.web_search_call.completed',
  'response.image_generation_call.in_progress',
  'response.image_generation_call.generating',
  'response.image_generation_call.completed',
  'response.image_generation_call.partial_image',
  'response.mcp_call.in_progress',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
  'response.mcp_list_tools.in_progress',
  'response.mcp_list_tools.completed',
  'response.mcp_list_tools.failed',
  'response.shell_call_command.added',
  'response.shell_call_command.delta',
  'response.shell_call_command.done',
  'response.shell_call_output_content.delta',
  'response.shell_call_output_content.done',
  'keepalive',
]);

/** Streamed string fields: event type → [field of the item or part, where it lives, delta?]. */
type Target = 'item' | 'content' | 'summary';
const RESPONSES_TEXT: Record<string, [field: string, target: Target, isDelta: boolean, partType?: string]> = {
  'response.output_text.delta': ['text', 'content', true, 'output_text'],
  'response.output_text.done': ['text', 'content', false, 'output_text'],
  'response.refusal.delta': ['refusal', 'content', true, 'refusal'],
  'response.refusal.done': ['refusal', 'content', false, 'refusal'],
  'response.reasoning_text.delta': ['text', 'content', true, 'reasoning_text'],
  'response.reasoning_text.done': ['text', 'content', false, 'reasoning_text'],
  'response.reasoning_summary_text.delta': ['text', 'summary', true],
  'response.reasoning_summary_text.done': ['text', 'summary', false],
  'response.function_call_arguments.delta': ['arguments', 'item', true],
  'response.function_call_arguments.done': ['arguments', 'item', false],
  'response.custom_tool_call_input.delta': ['input', 'item', true],
  'response.custom_tool_call_input.done': ['input', 'item', false],
  'response.mcp_call_arguments.delta': ['arguments', 'item', true],
  'response.mcp_call_arguments.done': ['arguments', 'item', false],
  'response.code_interpreter_call_code.delta': ['code', 'item', true],
  'response.code_interpreter_call_code.done': ['code', 'item', false],
};

export class ResponsesStreamCodec implements StreamCodec {
  /** The latest in-flight `response` (from created / queued / in_progress). */
  private response: Json | undefined;
  /** Output items by `output_index`, as reassembled from the events. */
  private output: unknown[] = [];
  /** Bytes charged per output index, given back when `output_item.done` replaces the item. */
  private cost: number[] = [];
  /** The complete response of `response.completed` / `failed` / `incomplete`. */
  private final: Json | undefined;
  private error: ApiError | undefined;

  constructor(private readonly ctx: CodecContext) {}

  onEvent(eventName: string | undefined, data: string): void {
    const ev: unknown = JSON.parse(data);
    if (!isRecord(ev)) {
      this.ctx.unknown(eventName ?? typeof ev);
      return;
    }
    const type = typeof ev.type === 'string' ? ev.type : (eventName ?? '');
    const text = RESPONSES_TEXT[type];
    if (text) {
      this.onText(ev, text[0], text[1], text[2], text[3]);
      return;
    }
    switch (type) {
      case 'response.output_item.added':
        this.onItemAdded(ev, data.length);
        return;
      case 'response.output_item.done':
        this.onItemDone(ev, data.length);
        return;
      case 'response.content_part.added':
      case 'response.content_part.done':
        this.onPart(ev, 'content', 'content_index', data.length, type.endsWith('added'));
        return;
      case 'response.reasoning_summary_part.added':
      case 'response.reasoning_summary_part.done':
        this.onPart(ev, 'summary', 'summary_index', data.length, type.endsWith('added'));
        return;
      case 'response.output_text.annotation.added':
        this.onAnnotation(ev, data.length);
        return;
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        this.onInterim(ev, data.length);
        return;
      case 'response.completed':
      case 'response.failed':
      case 'response.incomplete':
        this.onFinal(ev, data.length);
        return;
      case 'error':
        this.error = errorFrom(ev) ?? { type: 'error', message: data };
        return;
      default:
        if (!RESPONSES_PASSIVE.has(type)) this.ctx.unknown(type);
    }
  }

  private item(ev: Json): Json | undefined {
    const index = ev.output_index;
    if (typeof index !== 'number') return undefined;
    const item = this.output[index];
    return isRecord(item) ? item : undefined;
  }

  private charge(index: unknown, bytes: number): void {
    if (typeof index === 'number') this.cost[index] = (this.cost[index] ?? 0) + bytes;
  }

  private onText(ev: Json, field: string, target: Target, isDelta: boolean, partType?: string): void {
    const budget = this.ctx.budget;
    const value = isDelta ? ev.delta : ev[field];
    if (typeof value !== 'string') return;
    if (isDelta && value) this.ctx.firstContent();
    const item = this.item(ev);
    if (!item) return;
    let holder: Json | undefined = item;
    if (target !== 'item') {
      const list = item[target];
      const at = ev[target === 'content' ? 'content_index' : 'summary_index'];
      const part = Array.isArray(list) && typeof at === 'number' ? list[at] : undefined;
      holder = isRecord(part) && (partType === undefined || part.type === partType) ? part : undefined;
    }
    if (!holder) return;
    const current = str(holder[field]) ?? '';
    if (isDelta) {
      const kept = budget.take(value);
      holder[field] = current + kept;
      this.charge(ev.output_index, kept.length);
    } else if (value !== current) {
      // The full value replaces the reassembled one, if the limit allows what it adds.
      const extra = Math.max(0, value.length - current.length);
      if (budget.reserve(extra)) {
        holder[field] = value;
        this.charge(ev.output_index, extra);
      }
    }
  }

  private onItemAdded(ev: Json, size: number): void {
    const index = ev.output_index;
    const item = ev.item;
    if (!safeOutputIndex(index) || !isRecord(item)) return;
    if (!this.ctx.budget.reserve(size)) return;
    this.output[index] = item;
    this.cost[index] = size;
  }

  private onItemDone(ev: Json, size: number): void {
    const index = ev.output_index;
    const item = ev.item;
    if (!safeOutputIndex(index) || !isRecord(item)) return;
    if (this.ctx.budget.replace(this.cost[index] ?? 0, size)) {
      this.output[index] = item;
      this.cost[index] = size;
    } else {
      // Past the limit the reassembled (cut) item stays, with the final status.
      const current = this.output[index];
      if (isRecord(current) && item.status !== undefined) current.status = item.status;
    }
  }

  private onPart(ev: Json, key: 'content' | 'summary', indexKey: string, size: number, added: boolean): void {
    const item = this.item(ev);
    const at = ev[indexKey];
    const part = ev.part;
    if (!item || typeof at !== 'number' || !safeOutputIndex(at) || !isRecord(part)) return;
    let list: unknown[];
    if (Array.isArray(item[key])) list = item[key] as unknown[];
    else if (added) item[key] = list = [];
    else return;
    const budget = this.ctx.budget;
    if (added) {
      if (!budget.reserve(size)) return;
      list[at] = part;
      this.charge(ev.output_index, size);
    } else if (list[at] !== undefined) {
      // The finished part replaces the reassembled one, if the limit allows what it adds.
      const extra = Math.max(0, partTextLength(part) - partTextLength(list[at]));
      if (budget.reserve(extra)) {
        list[at] = part;
        this.charge(ev.output_index, extra);
      }
    }
  }

  private onAnnotation(ev: Json, size: number): void {
    const item = this.item(ev);
    const contentIndex = ev.content_index;
    const at = ev.annotation_index;
    if (!item || typeof contentIndex !== 'number' || !safeOutputIndex(at)) return;
    const content = item.content;
    const part = Array.isArray(content) ? content[contentIndex] : undefined;
    if (!isRecord(part) || !this.ctx.budget.reserve(size)) return;
    if (!Array.isArray(part.annotations)) part.annotations = [];
    const list = part.annotations;
    (list as unknown[])[at] = ev.annotation;
    this.charge(ev.output_index, size);
  }

  private onInterim(ev: Json, size: number): void {
    const response = ev.response;
    if (!isRecord(response)) return;
    this.response = response;
    const output = response.output;
    // A response that resumes with output already in it (background mode): adopt it.
    if (Array.isArray(output) && output.length > 0 && this.output.length === 0 && this.ctx.budget.reserve(size)) {
      this.output = output.slice();
      this.cost = [size];
    }
  }

  private onFinal(ev: Json, size: number): void {
    const response = ev.response;
    if (!isRecord(response)) return;
    // As the SDK: a lifecycle event without `output` gets the reassembled one.
    if (!Array.isArray(response.output)) response.output = this.denseOutput();
    const budget = this.ctx.budget;
    let charged = 0;
    for (const c of this.cost) charged += c ?? 0;
    if (!budget.replace(charged, size)) {
      // Larger than what is left of the limit: cut the strings of its output to fit (the
      // metadata — status, usage, ids — stays whole).
      budget.used = Math.max(0, budget.used - charged);
      budget.used += clampStrings(response.output, Math.max(0, budget.max - budget.used));
      budget.truncated = true;
    }
    this.final = response;
    this.output = [];
    this.cost = [];
    this.ctx.semanticEnd();
  }

  private denseOutput(): unknown[] {
    const out: unknown[] = [];
    for (const item of this.output) if (item !== undefined) out.push(item);
    return out;
  }

  result(): CodecResult {
    let body: Json | undefined = this.final;
    if (!body && (this.response || this.output.length > 0)) {
      body = { ...(this.response ?? {}), output: this.denseOutput() };
    }
    const out: CodecResult = { body };
    if (body) Object.assign(out, summarizeResponse(body));
    if (this.error) out.error = this.error;
    return out;
  }
}

/** The streamed text a content or summary part holds. */
function partTextLength(part: unknown): number {
  if (!isRecord(part)) return 0;
  return (str(part.text) ?? str(part.refusal) ?? '').length;
}

function safeOutputIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v < 65_536;
}

export function summarizeResponse(body: Json): Omit<CodecResult, 'body'> {
  const out: Omit<CodecResult, 'body'> = {};
  const usage = normalizeUsage(body.usage);
  if (usage) out.usage = usage;
  const status = str(body.status);
  const details = body.incomplete_details;
  const reason = isRecord(details) ? str(details.reason) : undefined;
  const stopReason = status === 'incomplete' && reason ? reason : status;
  if (stopReason) out.stopReason = stopReason;
  const id = str(body.id);
  if (id) out.responseId = id;
  const model = str(body.model);
  if (model) out.responseModel = model;
  // A failed response carries `error: {code, message}`.
  if (isRecord(body.error)) {
    const error = errorFrom(body);
    if (error) out.error = error;
  }
  return out;
}
