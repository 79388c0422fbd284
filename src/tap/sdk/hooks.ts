/**
 * Registers the module hooks that hand the SDK files to the patcher, and nothing else:
 *
 *   CJS  require-in-the-middle, `internals: true` over the SDK packages; the callback patches only the
 *        files in targets.ts (every other file of those packages is returned untouched, unwrapped). Loaded at
 *        the first require() of an SDK package (hookCjsLazily), from
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
  const ritm = hookCjsLazily(packages, onModule);

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

/**
 * RITM, loaded at the first require() of an SDK package (its name, a path in it, or a file under its
 * node_modules folder), not at start: loading it cost ~3–6 ms of every process's start on Node 22 (profiled,
 * issue 13), and most processes an agent starts never require an SDK. Until then a wrapper on
 * `Module.prototype.require` tests each id against the package names; at the first match it installs RITM (which
 * wraps require in turn) and hands it that very call, so the SDK's first file is hooked like every later one.
 */
function hookCjsLazily(packages: string[], onModule: OnModule): RitmHook {
  const proto = (nodeModule.Module as unknown as { prototype: { require: (id: string) => unknown } }).prototype;
  const original = proto.require;
  let ritm: RitmHook | undefined;
  let unhooked = false;
  const isSdk = (id: unknown) =>
    typeof id === 'string' &&
    packages.some(
      (p) => id === p || id.startsWith(`${p}/`) || id.replaceAll('\\', '/').includes(`/node_modules/${p}/`),
    );
  const install = () => {
    // Taken out where nobody wrapped require after us; otherwise left in their chain, passing calls through.
    if (proto.require === lazy) proto.require = original;
    const Ritm = loadRitm();
    ritm = new Ritm(packages, { internals: true }, (exports, name) => {
      onModule(exports as Record<string, unknown>, name);
      return exports;
    });
  };
  function lazy(this: unknown, id: string): unknown {
    if (ritm === undefined && !unhooked && isSdk(id)) {
      try {
        install();
      } catch {
        unhooked = true; // RITM would not load: the SDK goes unpatched (its calls are still recorded on the wire)
        return original.call(this, id);
      }
      return proto.require.call(this, id);
    }
    return original.call(this, id);
  }
  proto.require = lazy;
  return {
    unhook() {
      unhooked = true;
      if (proto.require === lazy) proto.require = original;
      ritm?.unhook();
    },
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
