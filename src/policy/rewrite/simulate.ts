/**
 * `agenttap rules simulate`: the rules tried on a recording, through the step a live dry run uses.
 *
 *   <pid>.ndjson, line by line (blobs and list refs expanded: readExpanded)
 *     ├ file starts        ──► a fresh rules step (createRulesStep, dry run): one per process, as each capture has one
 *     ├ exchange.request   ──► decideOnBody: decideOnWire's step, as the fetch tap and the proxy take it, on the parsed
 *     │                        body ──► the rewrite.applied it would have logged
 *     └ exchange.end usage ──► that request's settle: the ledger learns what the API counted, as it did live
 *
 * The log's order is the live order of these calls (a tap decides, then records the request; it records the
 * end, then settles), so the ledger sees the conversation state the live run had: the same cache prefixes, the
 * same usage ratios, the same estimates. Differences from a live dry run can only come from what the log does
 * not hold as sent: redacted secrets and header values, a body too large to keep.
 */
import { createEndpointMatcher, type EndpointMatch } from '../../exchange/endpoints.js';
import { isRecord } from '../../exchange/json.js';
import type { Endpoint, Provider, Usage } from '../../exchange/types.js';
import type { EventBody } from '../../log/events.js';
import { readExpanded } from '../../log/read.js';
import * as sc from '../../log/semconv.js';
import type { PriceTable } from '../../pricing/index.js';
import { decideOnBody } from './apply.js';
import { requestMechanisms } from './load-step.js';
import type { RulesFile } from './rules-schema.js';
import { createRulesStep, type RulesStep } from './runtime.js';

/** One decision the rules would have logged, with where its request is and the mechanism they saw. */
export interface SimulatedDecision {
  /** The log file (one process) and the exchange id in it. */
  file: string;
  exchange: string;
  /** When the request was recorded (the log's wall clock, ms since the epoch); absent from a line without one. */
  time?: number;
  /** The mechanism the rules matched on (the shipped classifier), absent when unclassified. */
  mechanism?: string;
  /** The `rewrite.applied` event, as a live dry run writes it (without the exchange id). */
  event: EventBody<'rewrite.applied', 'exchange'>;
}

export interface Simulation {
  /** Model requests in the log (warm-ups and bodiless requests included). */
  requests: number;
  /** Of those, the ones the rules were asked about. */
  decided: number;
  /** Requests the rules never see live, or the log cannot give them, by reason. */
  skipped: Record<string, number>;
  /** Requests the recording sent rewritten (its rules were live): simulated as sent, rewrite included. */
  alreadyRewritten: number;
  /** Requests with a redacted secret: their parts are sized by the tags (a few tokens off a live run's estimate). */
  redacted: number;
  /** In the order the requests were made: by time across processes, in log order within one. */
  decisions: SimulatedDecision[];
}

export interface SimulateOptions {
  prices: PriceTable;
  onWarning?: (message: string) => void;
}

/** How the redactor's tags begin (src/policy/redact/tag.ts: `[REDACTED:<type>:<8 hex>]`). */
const REDACTED = '[REDACTED:';
const SKIP_HTTP = 'recorded at the http layer, where rules never rewrite (the body streams through)';
const SKIP_BODY = 'body not in the log (unreadable, not JSON, or over capture.maxBodyBytes)';

export async function simulateRules(session: string, rules: RulesFile, options: SimulateOptions): Promise<Simulation> {
  const classify = await requestMechanisms();
  let mechanism: string | undefined;
  const mechanismOf: typeof classify = (request) => (mechanism = classify(request));
  const out: Simulation = { requests: 0, decided: 0, skipped: {}, alreadyRewritten: 0, redacted: 0, decisions: [] };
  const skip = (why: string) => (out.skipped[why] = (out.skipped[why] ?? 0) + 1);
  const pathModel = createEndpointMatcher([], {});
  let file: string | undefined;
  let step: RulesStep = () => undefined;
  let settles = new Map<string, (usage: Usage) => void>();
  for await (const line of readExpanded(session, { onWarning: options.onWarning })) {
    if (line.file !== file) {
      file = line.file;
      step = createRulesStep(rules, { dryRun: true, prices: options.prices, mechanismOf });
      settles = new Map();
    }
    const event = line.event as Record<string, unknown>;
    const exchange = String(event.exchange);
    if (event.event === 'rewrite.applied' && event.sent === true) out.alreadyRewritten++;
    if (event.event === 'exchange.end' && isRecord(event.usage)) {
      settles.get(exchange)?.(event.usage as Usage);
      settles.delete(exchange);
    }
    if (event.event !== 'exchange.request') continue;
    out.requests++;
    if (event.layer === 'http') {
      skip(SKIP_HTTP);
      continue;
    }
    const request = wireRequestOf(event, pathModel);
    if (!request) {
      skip(SKIP_BODY);
      continue;
    }
    out.decided++;
    if (request.redacted) out.redacted++;
    mechanism = undefined;
    const outcome = decideOnBody(step, request, request.body, request.chars);
    if (outcome?.settle) settles.set(exchange, outcome.settle);
    if (outcome?.event) {
      const time = typeof event.time === 'number' ? { time: event.time } : {};
      out.decisions.push({ file, exchange, ...time, ...(mechanism ? { mechanism } : {}), event: outcome.event });
    }
  }
  // Files are read one after the other (named by pid, which wraps): the report lists calls by time, and so do we.
  // A stable sort: within a file, log order (its clock never goes back within a process's session).
  out.decisions.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
  return out;
}

/** The request as the tap held it when the rules decided: its endpoint, path, headers, body and the body's length. */
function wireRequestOf(event: Record<string, unknown>, pathModel: ReturnType<typeof createEndpointMatcher>) {
  if (!isRecord(event.body) || typeof event[sc.URL_FULL] !== 'string') return undefined;
  const method = String(event[sc.HTTP_REQUEST_METHOD] ?? 'POST');
  let url: URL;
  try {
    url = new URL(event[sc.URL_FULL] as string);
  } catch {
    return undefined;
  }
  const endpoint = event.endpoint as Endpoint;
  // The model of a path-addressed request (Bedrock, Vertex) is in the URL, as the tap's matcher found it.
  const found = pathModel(method, url);
  const match: EndpointMatch = {
    endpoint,
    provider: event[sc.GEN_AI_PROVIDER_NAME] as Provider,
    operation: String(event[sc.GEN_AI_OPERATION_NAME]),
    ...(found?.endpoint === endpoint && found.model ? { model: found.model } : {}),
  };
  const headers = isRecord(event.headers) ? (event.headers as Record<string, string>) : {};
  const json = JSON.stringify(event.body);
  const redacted = json.includes(REDACTED);
  // A redacted body is sized as the log holds it: the rewrite of it is too, so the ratio of the two stays the live one.
  const chars = redacted ? json.length : sentChars(event, json);
  return { match, method, path: url.pathname, headers, body: event.body, chars, redacted };
}

/**
 * The length of the JSON text the agent sent, which the live step sized its estimates by. The log holds the body
 * parsed and the text's size in bytes: serialised again, a body without redactions differs from the text only by
 * formatting (another serialiser's spaces: Python's `json.dumps`), ASCII, so the difference in bytes is the
 * difference in characters. Exact for any ASCII text, and for a text that `JSON.stringify` wrote.
 */
function sentChars(event: Record<string, unknown>, json: string): number {
  const bytes = event.body_bytes;
  return typeof bytes === 'number' && bytes > 0 ? json.length + bytes - Buffer.byteLength(json) : json.length;
}
