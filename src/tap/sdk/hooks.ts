/**
 * Registers the module hooks that hand the SDK files to the patcher, and nothing else:
 *
 *   CJS  require-in-the-middle, `internals: true` over the SDK packages; the callback patches only the
 *        files in targets.ts (every other file of those packages is returned untouched, unwrapped).
 *   ESM  import-in-the-middle, with the loader hook limited to the same files by a RegExp on the URL:
 *        - `module.registerHooks` (in-thread, synchronous) where Node supports it (≥ 22.22.3, ≥ 24.11.1,
 *          ≥ 25.1, 26: IITM's `supportsSyncHooks()`), which also avoids Node 26's DEP0205 warning for
 *          `module.register` (docs/module-hooks.md#module-register-deprecation);
 *        - `module.register` (loader thread) otherwise, costly on Node 20 (docs/module-hooks.md#async-hook-cost — see BENCHMARKS.md).
 * Only files imported after this point are hooked: the loader runs before the agent's first import.
 */
import { createRequire, register as registerAsync } from 'node:module';

export type OnModule = (exports: Record<string, unknown>, name: string) => void;
export type HookMode = 'sync' | 'async';

interface RitmHook {
  unhook(): void;
}
type RitmCtor = new (
  modules: string[],
  options: { internals: boolean },
  fn: (exports: unknown, name: string) => unknown,
) => RitmHook;
type IitmCtor = new (
  modules: string[],
  options: { internals: boolean },
  fn: (exports: Record<string, unknown>, name: string) => void,
) => RitmHook;

const require = createRequire(import.meta.url);
const REGISTERED = Symbol.for('agenttap.sdk.esm-hooks');

export async function registerModuleHooks(
  packages: string[],
  include: RegExp,
  mode: HookMode,
  onModule: OnModule,
): Promise<() => void> {
  const { Hook: Ritm } = require('require-in-the-middle') as { Hook: RitmCtor };
  const ritm = new Ritm(packages, { internals: true }, (exports, name) => {
    onModule(exports as Record<string, unknown>, name);
    return exports;
  });

  // The loader hook can be registered once per process; the Hook callbacks below are what we can remove.
  const g = globalThis as typeof globalThis & { [REGISTERED]?: HookMode };
  if (!g[REGISTERED]) {
    if (mode === 'sync') {
      const { register } = (await import('import-in-the-middle/register-hooks.mjs' as string)) as {
        register(o: { include: RegExp[] }): void;
      };
      register({ include: [include] });
    } else {
      registerAsync('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: [include] } });
    }
    g[REGISTERED] = mode;
  }
  const { Hook: Iitm } = require('import-in-the-middle') as { Hook: IitmCtor };
  const iitm = new Iitm(packages, { internals: true }, (exports, name) => onModule(exports, name));

  return () => {
    ritm.unhook();
    iitm.unhook();
  };
}
