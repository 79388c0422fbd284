/**
 * The SDK layer: sees intent where the wire sees bytes. Installed by the loader when `sdk` is `on`, or
 * `auto` on a Node with synchronous module hooks (the default, chosen from BENCHMARKS.md "SDK layer
 * startup"). Patches arrive as the agent loads the SDK files (hooks.ts → targets.ts → patch.ts).
 * Whether it runs is decided by plan.ts, which the loader imports first: this module costs start-up.
 */
import { createRequire } from 'node:module';
import type { Config } from '../../config/schema.js';
import type { TapContext, Uninstall } from '../context.js';
import { safely } from '../safely.js';
import { registerModuleHooks, type HookMode } from './hooks.js';
import type { Patch } from './patch.js';
import { SDK_PACKAGES, fileUrlPattern, targetFor } from './targets.js';

type PatchModule = typeof import('./patch.js');

const requireHere = createRequire(import.meta.url);
const REQUIRE_ESM = (process.features as { require_module?: boolean }).require_module === true;

/**
 * `ctx`: the capture, or how to get it — the Node loader opens it only when a patched SDK file loads or a model
 * call is made (src/loader/gate.ts), so registering the hooks does not load the capture. `wire(ctx)` is then called
 * by whoever opens it first, so the capture knows the layer runs (`outsideSdkCall`).
 */
export async function installSdkTap(
  ctx: TapContext | (() => TapContext | undefined),
  config: Pick<Config, 'sdkPackages'>,
  mode: HookMode,
): Promise<SdkTap> {
  const packages = [...Object.keys(SDK_PACKAGES), ...config.sdkPackages];
  const patches: Patch[] = [];
  // The patch code (the capture's exchanges and rules) loads with the first SDK file it patches, where require()
  // of ESM lets it load then; elsewhere now.
  let patcher: PatchModule | undefined = REQUIRE_ESM ? undefined : await import('./patch.js');
  const patch = () => (patcher ??= requireHere('./patch.js') as PatchModule);
  let wired: TapContext | undefined;
  const wire = (c: TapContext) => {
    if (wired) return;
    wired = c;
    c.outsideSdkCall = warnUnpatchedSdk(c);
  };
  const ctxNow = () => {
    const c = typeof ctx === 'function' ? ctx() : ctx;
    if (c) wire(c);
    return c;
  };
  const onModule = (exports: Record<string, unknown>, name: string) => {
    const target = safely(
      () => {},
      'sdk-patch-failed',
      () => targetFor(name, packages),
      undefined,
    );
    if (!target) return;
    const c = ctxNow();
    if (!c) return;
    safely(
      c.warn,
      'sdk-patch-failed',
      () => {
        const { patchClients, patchResource } = patch();
        patches.push(...(target.kind === 'client' ? patchClients(c, exports) : patchResource(c, exports, target)));
      },
      undefined,
    );
  };
  const unhook = await registerModuleHooks(packages, fileUrlPattern(packages), mode, onModule);
  if (typeof ctx !== 'function') wire(ctx);
  return {
    wire,
    uninstall: () => {
      unhook();
      if (patcher) patcher.unpatch(patches);
      if (wired) delete wired.outsideSdkCall;
    },
  };
}

export interface SdkTap {
  /** Tells the capture, once it is open, that the SDK layer runs. */
  wire(ctx: TapContext): void;
  uninstall: Uninstall;
}

/**
 * Versions are recognised by their file layout (targets.ts). A Stainless-built SDK (Anthropic, OpenAI and their
 * platform clients) names itself in every request's headers; one that makes a model request outside any patched
 * call is a version (or an aliased package) the layer did not patch. Said once per SDK and version: its calls
 * are still captured, on the wire, without the SDK call and without params-level rules.
 */
function warnUnpatchedSdk(ctx: TapContext): (headers: Record<string, string>) => void {
  const warned = new Set<string>();
  return (headers) => {
    const version = headers['x-stainless-package-version'];
    if (version === undefined) return; // not a Stainless SDK (or a raw fetch): nothing to patch
    const sdk = `${headers['user-agent'] ?? 'an SDK'} (package version ${version})`;
    if (warned.has(sdk)) return;
    warned.add(sdk);
    ctx.warn(
      'sdk-unpatched',
      `the SDK layer is on, but ${sdk} made a model request outside any SDK call it patched: an SDK bundled into the agent's own file (Claude Code), an unknown file layout for this version, an aliased package (add it to sdkPackages / AGENTTAP_SDK_PACKAGES), or a raw client.post. Its calls are captured at the wire, without the SDK call.`,
    );
  };
}
