/**
 * Registers the module hooks that hand the SDK files to the patcher, and nothing else:
 *
 *   CJS  require-in-the-middle, `internals: true` over the SDK packages; the callback patches only the
 *        files in targets.ts (every other file of those packages is returned untouched, unwrapped). Loaded from
 *        ./ritm.cjs, RITM bundled without its `debug` dependency (which alone costs ~16 ms of start: it loads
 *        tty and net), falling back to the package when the bundle is missing (unbundled runs).
 *   ESM  import-in-the-middle, with the loader hook limited to the same files by a RegExp on the URL:
 *        - `module.registerHooks` (in-thread, synchronous) where Node supports it (≥ 22.22.3, ≥ 24.11.1,
 *          ≥ 25.1, 26: IITM's `supportsSyncHooks()`), which also avoids Node 26's DEP0205 warning for
 *          `module.register` (docs/module-hooks.md#module-register-deprecation). Lazily: a small resolve hook
 *          watches for the first SDK file and only then loads IITM's hook (its module lexers cost ~40 ms of
 *          start, issue 13) and hands it that resolution and every later one;
 *        - `module.register` (loader thread) otherwise, costly on Node 20 (docs/module-hooks.md#async-hook-cost — see BENCHMARKS.md).
 * Only files imported after this point are hooked: the loader runs before the agent's first import.
 */
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';

export type OnModule = (exports: Record<string, unknown>, name: string) => void;
export type HookMode = 'sync' | 'async';

interface RitmHook {
  unhook(): void;
}
type HookCtor<E> = new (
  modules: string[],
  options: { internals: boolean },
  fn: (exports: E, name: string) => unknown,
) => RitmHook;

interface ResolveResult {
  url: string;
  format?: string | null;
}
type NextResolve = (specifier: string, context: object) => ResolveResult;
type NextLoad = (url: string, context: object) => unknown;
/** IITM's hook object (create-hook.mjs), the functions its register-hooks.mjs hands `module.registerHooks`. */
interface IitmSyncHook {
  applyOptions(options: { include: RegExp[] }): void;
  resolveSync(specifier: string, context: object, next: NextResolve): ResolveResult;
  loadSync(url: string, context: object, next: NextLoad): unknown;
}
type RegisterHooks = (hooks: {
  resolve(specifier: string, context: object, next: NextResolve): ResolveResult;
  load(url: string, context: object, next: NextLoad): unknown;
}) => void;

const require = nodeModule.createRequire(import.meta.url);
const REGISTERED = Symbol.for('agenttap.sdk.esm-hooks');

/** Per process: the loader hook is registered once; the `Hook` callbacks wait until IITM is loaded. */
interface EsmHookState {
  mode: HookMode;
  loaded: boolean;
  waiting: Set<() => void>;
}

export async function registerModuleHooks(
  packages: string[],
  include: RegExp,
  mode: HookMode,
  onModule: OnModule,
): Promise<() => void> {
  const Ritm = loadRitm();
  const ritm = new Ritm(packages, { internals: true }, (exports, name) => {
    onModule(exports as Record<string, unknown>, name);
    return exports;
  });

  let iitm: RitmHook | undefined;
  let removed = false;
  const hookEsm = () => {
    if (removed || iitm) return;
    const { Hook: Iitm } = require('import-in-the-middle') as { Hook: HookCtor<Record<string, unknown>> };
    iitm = new Iitm(packages, { internals: true }, (exports, name) => onModule(exports, name));
  };
  const state = registerEsmHook(include, mode);
  if (state.loaded) hookEsm();
  else state.waiting.add(hookEsm);

  return () => {
    removed = true;
    state.waiting.delete(hookEsm);
    ritm.unhook();
    iitm?.unhook();
  };
}

/** RITM's `Hook`: the bundled copy (scripts/bundle-loader.mjs) where it was built, else the package. */
function loadRitm(): HookCtor<unknown> {
  try {
    return (require('./ritm.cjs') as { Hook: HookCtor<unknown> }).Hook;
  } catch {
    return (require('require-in-the-middle') as { Hook: HookCtor<unknown> }).Hook;
  }
}

/** The ESM loader hook, registered once per process (a loader hook cannot be removed). */
function registerEsmHook(include: RegExp, mode: HookMode): EsmHookState {
  const g = globalThis as typeof globalThis & { [REGISTERED]?: EsmHookState };
  const registered = g[REGISTERED];
  if (registered) return registered;
  const state: EsmHookState = { mode, loaded: false, waiting: new Set() };
  g[REGISTERED] = state;
  const loaded = () => {
    state.loaded = true;
    for (const fn of [...state.waiting]) fn();
    state.waiting.clear();
  };
  if (mode === 'async') {
    nodeModule.register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: [include] } });
    loaded();
  } else registerLazySyncHook(include, loaded);
  return state;
}

/**
 * `module.registerHooks` with IITM's synchronous hook loaded at the first resolution of a file `include` matches
 * (what IITM's register-hooks.mjs registers at once). Before that, one `nextResolve` and a RegExp test per module.
 */
function registerLazySyncHook(include: RegExp, onLoaded: () => void): void {
  let iitm: IitmSyncHook | undefined;
  const load = (): IitmSyncHook => {
    if (iitm) return iitm;
    // Its own URL as IITM's register-hooks.mjs passes it (createHook finds lib/register.js next to it).
    const url = pathToFileURL(require.resolve('import-in-the-middle/register-hooks.mjs')).href;
    const { createHook } = require('import-in-the-middle/create-hook.mjs') as {
      createHook(meta: { url: string }): IitmSyncHook;
    };
    const hook = createHook({ url });
    hook.applyOptions({ include: [include] });
    iitm = hook;
    onLoaded(); // the Hook callbacks are in place before the wrapped SDK file runs
    return hook;
  };
  const registerHooks = (nodeModule as unknown as { registerHooks: RegisterHooks }).registerHooks;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (iitm) return iitm.resolveSync(specifier, context, nextResolve);
      const result = nextResolve(specifier, context);
      return include.test(result.url) ? load().resolveSync(specifier, context, nextResolve) : result;
    },
    load: (url, context, nextLoad) => (iitm ? iitm.loadSync(url, context, nextLoad) : nextLoad(url, context)),
  });
}
