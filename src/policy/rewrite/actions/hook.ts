/**
 * The custom hook action: a user's function of the request, bounded in time.
 *
 * The function gets a deep copy of the body (it may change it in place and return it) and a frozen view of the
 * request's context; it returns the body to send, or `undefined`/`null` for "no change". It runs synchronously,
 * on the agent's thread, just before the request leaves — so it is bounded by `vm`'s watchdog, which terminates
 * even a function stuck in `for (;;) {}`; a Promise deadline could not. The result is serialised inside the same
 * bound (a getter that never returns is caught too) and parsed back, so nothing the hook keeps a reference to can
 * change the request afterwards. Any failure — a throw, the time limit, a Promise, a result that is not a
 * request — is a `HookError`: the engine sends the original and logs why.
 */
import { Script, createContext } from 'node:vm';
import type { AnthropicBody, RewriteTarget } from '../types.js';

export interface HookContext {
  /** The classifier's mechanism id for this request (`claude-code.sub-agent`), when it has one. */
  readonly mechanism?: string;
  readonly provider: string;
  readonly endpoint: string;
  /** The request's headers, lower-case names; credentials included — read them, never log them. */
  readonly headers: Readonly<Record<string, string>>;
}

export type HookFn = (body: AnthropicBody, context: HookContext) => unknown;

export interface HookOptions {
  fn: HookFn;
  /** Wall-clock limit for one call, ms. */
  timeoutMs: number;
  /** For messages: the rule's id and where the function came from. */
  name: string;
}

export class HookError extends Error {}

/** A hook as an action: it also needs what the engine knows of the request besides its body. */
export type HookAction = (target: RewriteTarget, known: Omit<HookContext, 'headers'>) => RewriteTarget;

// One context and one compiled script for every hook, made on first use: a call is ~0.1 ms (the watchdog
// thread), not a new realm.
let bound: { realm: object; call: Script } | undefined;

export function hook(options: HookOptions): HookAction {
  const { fn, timeoutMs, name } = options;
  return (target, known) => {
    const body = structuredClone(target.body);
    const context: HookContext = Object.freeze({ ...known, headers: Object.freeze({ ...target.headers }) });
    const serialised = runBounded(
      () => {
        const result = fn(body, context);
        if (isThenable(result)) {
          result.then(undefined, () => {}); // its rejection is ours to swallow, not the agent's unhandledRejection
          throw new HookError(`${name} returned a Promise; hooks run synchronously — return the body itself`);
        }
        return result === undefined || result === null ? undefined : JSON.stringify(result);
      },
      timeoutMs,
      name,
    );
    if (serialised === undefined) return target;
    const next = JSON.parse(serialised) as unknown;
    if (!isRequestBody(next))
      throw new HookError(
        `${name} returned something that is not a request body (an object with "model" and "messages" or "input")`,
      );
    return { body: next, headers: target.headers };
  };
}

function runBounded<T>(work: () => T, timeoutMs: number, name: string): T {
  bound ??= {
    realm: createContext(Object.create(null) as object),
    call: new Script('__agenttapHook()', { filename: 'agenttap-hook' }),
  };
  const { realm, call } = bound;
  (realm as { __agenttapHook?: () => T }).__agenttapHook = work;
  try {
    return call.runInContext(realm, { timeout: timeoutMs }) as T;
  } catch (err) {
    if (err instanceof HookError) throw err;
    if ((err as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
      throw new HookError(`${name} ran past its ${timeoutMs} ms limit`);
    throw new HookError(`${name} threw: ${describe(err)}`);
  } finally {
    (realm as { __agenttapHook?: unknown }).__agenttapHook = undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isRequestBody(value: unknown): value is AnthropicBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const body = value as Record<string, unknown>;
  return typeof body.model === 'string' && (Array.isArray(body.messages) || body.input !== undefined);
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  try {
    return String(err);
  } catch {
    return 'a value that cannot be printed';
  }
}
