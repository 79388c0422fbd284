/** What every tap is given: where exchanges go and which URLs are model calls. */
import type { EndpointMatch } from '../exchange/endpoints.js';
import type { Recorder } from '../log/recorder.js';
import type { RulesStep } from '../policy/rewrite/wire.js';
import type { WarnFn } from './safely.js';

export interface TapContext {
  recorder: Pick<Recorder, 'request' | 'response' | 'end' | 'rewrite'>;
  matchEndpoint: (method: string, url: URL) => EndpointMatch | null;
  warn: WarnFn;
  maxBodyBytes: number;
  /** Unique exchange ids within the session (the pid keeps processes apart). */
  nextExchangeId: () => string;
  /** The rewrite rules, when a rules file is configured. */
  rules?: RulesStep;
  /**
   * Set by the SDK layer when it runs: told of each model request made outside any SDK call it patched, with
   * the request's headers (an SDK version whose file layout it does not know says so by its own headers).
   */
  outsideSdkCall?: (headers: Record<string, string>) => void;
  /** Open exchanges, finished as `incomplete` when the process exits (`interrupted` when a signal ends it). */
  open: Set<{ finish(outcome: 'incomplete' | 'interrupted'): void }>;
}

/** Install/uninstall shape shared by every tap: idempotent, symmetric. */
export type Uninstall = () => void;
