/**
 * The Node loader's start: what runs before the agent's first line, kept to what a minimal fetch tee does — the
 * config (validated without zod unless it is wrong: src/config/), the session place published for children, the
 * fetch and http/https patches with the endpoint matcher. No recorder, codec, writer, crypto or undici: the first
 * model call opens the gate (gate.ts) to the rest. The SDK layer, when it runs, registers its module hooks here
 * (its own cost: BENCHMARKS.md) and opens the gate when the agent loads an SDK file it patches.
 */
import { createEndpointMatcher } from '../exchange/endpoints.js';
import { stderrLine } from '../stderr.js';
import { fetchTarget, patchFetch } from '../tap/fetch-patch.js';
import { patchHttp, requestUrl } from '../tap/http-patch.js';
import { planSdkLayer } from '../tap/sdk/plan.js';
import { createGate, type Gate } from './gate.js';
import { type Prepared, prepare } from './prepare.js';

export async function start(): Promise<void> {
  const prepared = await prepare();
  if (!prepared) return;
  const match = createEndpointMatcher(prepared.config.endpoints);
  const gate = createGate(prepared, match);
  // Without require() of ESM the http tap could not open the gate in time: open it now (the old cost).
  if (!gate.sync) await gate.load();

  patchFetch({
    wants: (input, init) => {
      try {
        const target = fetchTarget(input, init);
        return match(target.method, target.url) !== null && target;
      } catch {
        return true; // an input we cannot read: the fetch tap says so in the log (a `tap.warning`)
      }
    },
    handler: (original) => gate.now()?.fetch(original),
    load: async (original) => (await gate.load())?.fetch(original),
  });
  patchHttp((req) => {
    try {
      if (!match(req.method, requestUrl(req))) return;
    } catch {
      // a request we cannot read: the http tap says so in the log
    }
    gate.now()?.http(req);
  });
  if (prepared.config.sdk !== 'off') await sdkLayer(prepared, gate);
}

/** The SDK layer: its module hooks are registered before the agent's first import, with the capture open. */
async function sdkLayer({ config }: Prepared, gate: Gate): Promise<void> {
  try {
    const plan = planSdkLayer(config.sdk);
    if (config.debug) stderrLine(`agenttap: SDK layer ${plan.on ? 'on' : 'off'}: ${plan.reason}`);
    if (!plan.on) return;
    const { installSdkTap } = await import('../tap/sdk/index.js');
    // The capture opens when a patched SDK file loads (or at the first model call), not with the hooks.
    const sdk = await installSdkTap(() => gate.now()?.ctx, config, plan.mode);
    gate.whenOpen((full) => sdk.wire(full.ctx));
  } catch (err) {
    const message = `sdk-layer-failed: ${(err as Error)?.message ?? String(err)}`;
    (gate.now() ?? (await gate.load()))?.ctx.warn('sdk-layer-failed', message);
  }
}
