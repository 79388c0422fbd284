/**
 * Correlates the layers: which SDK call (and which of its HTTP attempts) is running right now. Shared by the
 * SDK layer, which opens the scopes, and the wire taps (fetch, http), which claim attempts: peers, neither
 * importing the other.
 *
 *   sdk method wrapper ── als.run({call}) ──► SDK internals ──► fetchWithTimeout wrapper
 *        (messages.create, …)                 (retries loop)      als.run({call, attempt}) ──► fetch / http tap
 *                                                                                                 claims the attempt
 *
 * The store is carried by AsyncLocalStorage, so it follows the SDK through its awaits, timers and retries.
 * The lowest tap that sees the attempt's request on the wire *claims* it and writes the one record of that
 * attempt, tagged with its own layer and the SDK call; a tap that finds the attempt already claimed stays
 * silent (one record per HTTP attempt, docs/sdk-layer.md#one-record-per-attempt). When nothing below claimed it — a client given its own
 * `fetch` that bypasses both global fetch and node:http — the SDK layer records the attempt itself.
 *
 * Kept under a `Symbol.for` key: every copy of this module in a process shares one store.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SdkCall } from '../exchange/types.js';
import type { RulesOutcome } from '../policy/rewrite/wire.js';

export interface CallState {
  id: string;
  client: string;
  method: string;
  /** The client instance, to recognise an SDK helper delegating to its own `create` (stream → create). */
  owner: object;
  attempts: number;
  /** A nested call on the same client was folded into this one (e.g. `messages.stream` → `messages.create`). */
  delegated: boolean;
  /**
   * The rewrite rules were decided here, on the params (a signed or path-addressed platform client): the taps
   * below must not decide again, and log this decision (`event`, absent when no rule matched) on each attempt.
   */
  rules?: Omit<RulesOutcome, 'send'>;
}

export interface AttemptState {
  sdk: SdkCall;
  claimed: boolean;
}

export interface Scope {
  call: CallState;
  attempt?: AttemptState;
}

const KEY = Symbol.for('agenttap.sdk.scope');
type GlobalWithScope = typeof globalThis & { [KEY]?: AsyncLocalStorage<Scope> };

export function scopeStorage(): AsyncLocalStorage<Scope> {
  const g = globalThis as GlobalWithScope;
  g[KEY] ??= new AsyncLocalStorage<Scope>();
  return g[KEY];
}

/**
 * For a tap about to record a model request: the SDK call to tag it with (`sdk`), or `skip` when a tap
 * above already recorded this attempt. Claims the attempt as a side effect.
 */
export function claimAttempt(): { skip: boolean; sdk?: SdkCall; rules?: CallState['rules'] } {
  const g = globalThis as GlobalWithScope;
  const scope = g[KEY]?.getStore();
  const attempt = scope?.attempt;
  if (!attempt) return { skip: false };
  if (attempt.claimed) return { skip: true };
  attempt.claimed = true;
  return { skip: false, sdk: attempt.sdk, ...(scope.call.rules ? { rules: scope.call.rules } : {}) };
}
