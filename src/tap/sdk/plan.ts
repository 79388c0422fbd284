/**
 * Whether and how the SDK layer runs in this process — decided before anything heavy is imported, so a Node
 * where it stays off (Node 20 on `auto`) pays nothing for it.
 */
import type { Config } from '../../config/schema.js';
// IITM's version check alone (a file with no imports): the loader's start path decides without loading IITM.
import { supportsSyncHooks } from 'import-in-the-middle/supports-sync-hooks.mjs';
import type { HookMode } from './hooks.js';

export interface SdkLayerPlan {
  on: boolean;
  mode: HookMode;
  /** Why (for the debug line). */
  reason: string;
}

/** Decides whether and how the SDK layer runs in this process. */
export function planSdkLayer(setting: Config['sdk']): SdkLayerPlan {
  if (setting === 'off') return { on: false, mode: 'async', reason: 'sdk: off' };
  const sync = supportsSyncHooks();
  const mode: HookMode = sync ? 'sync' : 'async';
  if (setting === 'on') return { on: true, mode, reason: `sdk: on (${mode} ESM hooks)` };
  return sync
    ? { on: true, mode, reason: 'sdk: auto → on (synchronous module hooks available)' }
    : {
        on: false,
        mode,
        reason: `sdk: auto → off on Node ${process.versions.node} (only the async module.register hook: see BENCHMARKS.md)`,
      };
}
