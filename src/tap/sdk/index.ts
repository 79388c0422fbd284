/**
 * The SDK layer: sees intent where the wire sees bytes. Installed by the loader when `sdk` is `on`, or
 * `auto` on a Node with synchronous module hooks (the default, chosen from BENCHMARKS.md "SDK layer
 * startup"). Patches arrive as the agent loads the SDK files (hooks.ts → targets.ts → patch.ts).
 * Whether it runs is decided by plan.ts, which the loader imports first: this module costs start-up.
 */
import type { Config } from '../../config/schema.js';
import type { TapContext, Uninstall } from '../context.js';
import { safely } from '../safely.js';
import { registerModuleHooks, type HookMode } from './hooks.js';
import { type Patch, patchClients, patchResource, unpatch } from './patch.js';
import { SDK_PACKAGES, fileUrlPattern, targetFor } from './targets.js';

export async function installSdkTap(
  ctx: TapContext,
  config: Pick<Config, 'sdkPackages'>,
  mode: HookMode,
): Promise<Uninstall> {
  const packages = [...Object.keys(SDK_PACKAGES), ...config.sdkPackages];
  const patches: Patch[] = [];
  const onModule = (exports: Record<string, unknown>, name: string) =>
    safely(
      ctx.warn,
      'sdk-patch-failed',
      () => {
        const target = targetFor(name, packages);
        if (!target) return;
        patches.push(...(target.kind === 'client' ? patchClients(ctx, exports) : patchResource(ctx, exports, target)));
      },
      undefined,
    );
  const unhook = await registerModuleHooks(packages, fileUrlPattern(packages), mode, onModule);
  ctx.outsideSdkCall = warnUnpatchedSdk(ctx);
  return () => {
    unhook();
    unpatch(patches);
    delete ctx.outsideSdkCall;
  };
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
