/** An exchange while the log is read (a draft of its row), and what the read pass returns. */
import type { ExchangeFacts } from '../../src/mechanisms/types.js';
import { flattenHeaders } from '../../src/exchange/headers.js';
import { isRecord as isObj } from '../../src/exchange/json.js';
import type { LoggedLabel } from '../model/agent-labels.js';
import type { ExchangeRewrite, TokenUsage } from '../model/types.js';

/** An exchange while it is being read; `build.ts` turns it into an `ExchangeRow`. */
export interface Draft {
  key: string;
  id: string;
  pid: number;
  t: number;
  method: string;
  endpoint: string;
  layer: string;
  path: string;
  provider: string;
  stream: boolean;
  model?: string;
  responseModel?: string;
  status?: number;
  ttfb?: number;
  ttft?: number;
  duration?: number;
  outcome?: string;
  stop?: string;
  error?: string;
  usage: TokenUsage;
  thread?: string;
  parentKey?: string;
  parentMessages?: number;
  spawnedBy?: { key: string; toolUseId: string; tool: string };
  systemHash?: string;
  toolsHash?: string;
  context: { system: number; tools: number; messages: number; count: number };
  reminders: { text: string; bytes: number; hash: string }[];
  facts: ExchangeFacts;
  node?: number;
  /** The SDK call this HTTP attempt belongs to (`sdk.call`), when the SDK layer saw it. */
  sdkCall?: string;
}

export interface Interned {
  systems: Map<string, { texts: string[]; bytes: number; blocks: { bytes: number; preview: string; hash: string }[] }>;
  toolsets: Map<string, { names: string[]; bytes: number; sizes: number[] }>;
}

export interface CollectResult {
  drafts: Draft[];
  processes: { pid: number; argv: string[]; cwd?: string; node?: string; agenttap?: string; time: number }[];
  interned: Interned;
  sessionId?: string;
  tapWarnings: number;
  unknownEvents: Record<string, number>;
  /** Rewrite decisions by `<pid>/<exchange>` (the drafts' `key`), in the order read. */
  rewrites: Map<string, ExchangeRewrite>;
  /** The agent's own labels (`exchange.label`) by exchange id: written by `agenttap run`'s process, not the exchange's. */
  labels: Map<string, LoggedLabel>;
}

/** The draft of an `exchange.request` event: its fields, facts to be filled by the rest of the pass. */
export function requestDraft(ev: Record<string, unknown>, t: number): Draft {
  const path = pathOf(String(ev['url.full'] ?? ''));
  const lower = flattenHeaders(ev.headers);
  const method = String(ev['http.request.method'] ?? 'POST');
  const stream = ev.stream === true;
  const sdk = isObj(ev.sdk) ? ev.sdk : undefined;
  return {
    sdkCall: typeof sdk?.call === 'string' ? sdk.call : undefined,
    key: `${ev.pid}/${ev.exchange}`,
    id: String(ev.exchange),
    pid: Number(ev.pid),
    t,
    method,
    endpoint: String(ev.endpoint ?? 'custom'),
    layer: String(ev.layer ?? '?'),
    path,
    provider: String(ev['gen_ai.provider.name'] ?? ''),
    stream,
    model: typeof ev['gen_ai.request.model'] === 'string' ? ev['gen_ai.request.model'] : undefined,
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    context: { system: 0, tools: 0, messages: 0, count: 0 },
    reminders: [],
    facts: {
      method,
      endpoint: String(ev.endpoint ?? 'custom'),
      path,
      hasBody: false,
      headers: lower,
      model: typeof ev['gen_ai.request.model'] === 'string' ? ev['gen_ai.request.model'] : undefined,
      stream,
      system: [],
      tools: [],
      thinking: false,
      messageCount: 0,
      firstUserText: '',
      lastUserText: '',
      toolResults: false,
      responseTools: [],
      threadPosition: 'first',
      primaryThread: false,
      afterBrokenStream: false,
    },
  };
}

/** A session's requests go to a few URLs: each parsed once (a URL parse per request was a tenth of the handler). */
const paths = new Map<string, string>();

/** The URL's path, or the raw value when it is not a URL. */
function pathOf(url: string): string {
  let path = paths.get(url);
  if (path !== undefined) return path;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  // Bounded: URLs that differ per request (a query id) must not grow it without end.
  if (paths.size >= 1024) paths.clear();
  paths.set(url, path);
  return path;
}
