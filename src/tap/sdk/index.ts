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

export async function installSdkTap(ctx: TapContext, config: Pick<Config, 'sdkPackages'>, mode: HookMode): Promise<Uninstall> {
  const packages = [...Object.keys(SDK_PACKAGES), ...config.sdkPackages];
  const patches: Patch[] = [];
  const onModule = (exports: Record<string, unknown>, name: string) =>
    safely(ctx.warn, 'sdk-patch-failed', () => {
      const target = targetFor(name, packages);
      if (!target) return;
      patches.push(...(target.kind === 'client' ? patchClients(ctx, exports) : patchResource(ctx, exports, target)));
    }, undefined);
  const unhook = await registerModuleHooks(packages, fileUrlPattern(packages), mode, onModule);
  return () => {
    unhook();
    unpatch(patches);
  };
}
