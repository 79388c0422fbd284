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
  /** Open exchanges, finished as `incomplete` when the process exits. */
  open: Set<{ finish(outcome: 'incomplete'): void }>;
}

/** Install/uninstall shape shared by every tap: idempotent, symmetric. */
export type Uninstall = () => void;
