/**
 * Matching a live request to a recorded exchange. Both sides are normalised (normalise.ts; the live one is
 * redacted first) and keyed by endpoint, mechanism (the classifier's, so a title call and a main-loop call that
 * share one user message never collide) and the request's structure: model, system and tools hashes, and the
 * conversation up to the new turn (the whole normalised body, `stream` aside — a client may ask either way).
 * Equal keys are served in recorded order, so a thread's turns and identical retries come back as they were.
 *
 *   live body ─► redact ─► normalise ─► key ─► queue of recorded exchanges with that key ─► first unserved
 *                                                  └─ none: a miss ─► nearest recorded + diff (miss-report.ts)
 */
import { contentHash } from '../exchange/hash.js';
import { isRecord } from '../exchange/json.js';
import { Classifier, shippedSets } from '../mechanisms/index.js';
import { mechanismOfRequest } from '../mechanisms/request-facts.js';
import type { Redactor } from '../policy/redact/index.js';
import type { Normaliser, Side } from './normalise.js';
import type { RecordedExchange } from './recording.js';

/** A request as the replay server received it. */
export interface LiveRequest {
  method: string;
  path: string;
  endpoint: RecordedExchange['endpoint'];
  headers: Record<string, string>;
  body: unknown;
}

/** A request reduced to what matching compares. */
export interface Shape {
  endpoint: string;
  mechanism: string;
  /** The normalised body without `stream`/`stream_options`. */
  body: unknown;
  parts: { model: string; system: string; tools: string; messages: string[]; rest: string };
  key: string;
  /** Normalisation rules that changed this side. */
  applied: string[];
}

export interface Hit {
  kind: 'hit';
  recorded: RecordedExchange;
  live: Shape;
  /** The recorded body differs from the live one before normalisation: these rules made them equal. */
  normalisedBy: string[];
  /** Every recorded exchange with this key was served already: the last one is served again. */
  again: boolean;
}

export interface Miss {
  kind: 'miss';
  live: Shape;
  nearest?: { recorded: RecordedExchange; shape: Shape };
}

const STREAM_KEYS = new Set(['stream', 'stream_options']);

export class Matcher {
  private readonly classifier = new Classifier(shippedSets());
  private readonly queues = new Map<string, RecordedExchange[]>();
  private readonly served = new Map<string, RecordedExchange>();
  private readonly shapes = new Map<RecordedExchange, Shape>();
  /** Raw (redacted, un-normalised) recorded bodies, to tell an exact hit from a normalised one. */
  private readonly raw = new Map<RecordedExchange, string>();

  constructor(
    readonly recorded: readonly RecordedExchange[],
    private readonly normaliser: Normaliser,
    private readonly redactor: Redactor,
    /** The live agent's working directory, when known (normalises `{{cwd}}` on the live side). */
    private readonly liveCwd?: string,
  ) {
    for (const r of recorded) {
      const headers = r.requestHeaders;
      const shape = this.shape(
        { method: r.method, path: r.path, endpoint: r.endpoint, headers, body: r.body },
        {
          headers,
          cwd: r.cwd,
        },
      );
      this.shapes.set(r, shape);
      this.raw.set(r, JSON.stringify(withoutStream(r.body)));
      const queue = this.queues.get(shape.key);
      if (queue) queue.push(r);
      else this.queues.set(shape.key, [r]);
    }
  }

  match(request: LiveRequest): Hit | Miss {
    const redacted: LiveRequest = { ...request, body: this.redactor.value(request.body) };
    const live = this.shape(redacted, {
      headers: request.headers,
      cwd: this.liveCwd && this.redactor.text(this.liveCwd),
    });
    const queue = this.queues.get(live.key);
    if (!queue) return { kind: 'miss', live, ...this.nearest(live) };
    const next = queue.shift();
    const recorded = next ?? this.served.get(live.key)!;
    this.served.set(live.key, recorded);
    const exact = this.raw.get(recorded) === JSON.stringify(withoutStream(redacted.body));
    const normalisedBy = exact ? [] : [...new Set([...live.applied, ...this.shapes.get(recorded)!.applied])];
    return { kind: 'hit', recorded, live, normalisedBy, again: next === undefined };
  }

  /** The recorded exchanges not served yet, in order. */
  unserved(): RecordedExchange[] {
    const left = new Set([...this.queues.values()].flat());
    return this.recorded.filter((r) => left.has(r));
  }

  shapeOf(r: RecordedExchange): Shape {
    return this.shapes.get(r)!;
  }

  private shape(request: LiveRequest, side: Side): Shape {
    const { value, applied } = this.normaliser.apply(withoutStream(request.body), side);
    const body = isRecord(value) ? value : {};
    const mechanism = this.mechanism(request);
    const messages = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
    const { model, system, instructions, tools, messages: _m, input: _i, ...rest } = body;
    const parts = {
      model: String(model ?? ''),
      system: hash(system ?? instructions),
      tools: hash(tools),
      messages: messages.map(hash),
      rest: hash(rest),
    };
    const key = contentHash(
      JSON.stringify([
        request.method,
        request.endpoint,
        mechanism,
        parts.model,
        parts.system,
        parts.tools,
        parts.messages,
        parts.rest,
      ]),
    );
    return { endpoint: request.endpoint, mechanism, body: value, parts, key, applied };
  }

  private mechanism(request: LiveRequest): string {
    if (request.endpoint === 'anthropic.warmup') return 'warm-up';
    if (!isRecord(request.body)) return 'unclassified';
    try {
      return (
        mechanismOfRequest((f) => this.classifier.classify(f), {
          method: request.method,
          endpoint: request.endpoint,
          path: request.path,
          headers: request.headers,
          body: request.body,
        }) ?? 'unclassified'
      );
    } catch {
      return 'unclassified';
    }
  }

  /** The recorded request most like `live`: same endpoint, then the most parts in common, then order. */
  private nearest(live: Shape): Pick<Miss, 'nearest'> {
    let best: { recorded: RecordedExchange; shape: Shape; score: number } | undefined;
    for (const recorded of this.recorded) {
      const shape = this.shapes.get(recorded)!;
      if (shape.endpoint !== live.endpoint) continue;
      const score = similarity(live, shape);
      if (!best || score > best.score) best = { recorded, shape, score };
    }
    return best ? { nearest: { recorded: best.recorded, shape: best.shape } } : {};
  }
}

/** Parts in common, weighted: the conversation's shared prefix counts most, then system, tools, model. */
function similarity(a: Shape, b: Shape): number {
  let prefix = 0;
  while (prefix < a.parts.messages.length && a.parts.messages[prefix] === b.parts.messages[prefix]) prefix++;
  const lengthGap = Math.abs(a.parts.messages.length - b.parts.messages.length);
  return (
    (a.mechanism === b.mechanism ? 1000 : 0) +
    (a.parts.system === b.parts.system ? 400 : 0) +
    (a.parts.tools === b.parts.tools ? 200 : 0) +
    (a.parts.model === b.parts.model ? 100 : 0) +
    (a.parts.rest === b.parts.rest ? 50 : 0) +
    prefix * 10 -
    lengthGap * 5
  );
}

function hash(value: unknown): string {
  return value === undefined ? '' : contentHash(JSON.stringify(value));
}

function withoutStream(body: unknown): unknown {
  if (!isRecord(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => !STREAM_KEYS.has(k)));
}
