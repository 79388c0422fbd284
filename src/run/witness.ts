/**
 * The witness: `agenttap run` on a Bun-compiled agent records in-process (the Bun preload), and also puts this
 * proxy between the agent and its model API, so that a call the in-process tap did not see is never a silent
 * gap (the preload's fetch hook depends on the bundle's internals: docs/claude-code.md#preload-fetch-timing).
 *
 *   agent ─► Bun preload tap (records, marks) ─► witness ─► upstream
 *                                                 │ marked with this run's token: forwarded, header removed, not recorded
 *                                                 └ unmarked model call: recorded here (layer `proxy`, rules applied),
 *                                                   reported once on stderr and in the log (`in-process-gap`)
 * One record per attempt either way. The witness's log opens only when it first records.
 */
import { randomBytes } from 'node:crypto';
import { ENV_WITNESS_TOKEN, ENV_WITNESS_UPSTREAM, ENV_WITNESS_URL, WITNESS_HEADER } from '../bun/witness-mark.js';
import { openPipeline, type CapturePipeline } from '../proxy/pipeline.js';
import { startProxyServer } from '../proxy/server.js';
import type { TapContext } from '../tap/context.js';

export const DEFAULT_ANTHROPIC_URL = 'https://api.anthropic.com';

export interface Witness {
  /** What the agent's environment gets: its base URL pointed here, and the mark the preload sets. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** `env` is the run's (session, config, rules); its ANTHROPIC_BASE_URL, if any, is the upstream. */
export async function startWitness(env: NodeJS.ProcessEnv): Promise<Witness> {
  const upstream = new URL(env.ANTHROPIC_BASE_URL || DEFAULT_ANTHROPIC_URL);
  const token = randomBytes(16).toString('hex');
  let pipeline: CapturePipeline | undefined;
  const server = await startProxyServer({
    upstream,
    ctx: async () => {
      pipeline = await openPipeline({ upstream: upstream.href, listen: 'witness', env });
      return reportingGap(pipeline.ctx);
    },
    recordedElsewhere: { header: WITNESS_HEADER, is: (value) => value === token },
  });
  return {
    env: {
      ANTHROPIC_BASE_URL: server.url,
      [ENV_WITNESS_URL]: server.url,
      [ENV_WITNESS_TOKEN]: token,
      // The witness forwards to `${origin}${prefix}${path}` (src/proxy/server.ts): the preload records that URL.
      [ENV_WITNESS_UPSTREAM]: `${upstream.origin}${upstream.pathname.replace(/\/+$/, '')}`,
    },
    async close() {
      await server.close();
      pipeline?.close();
    },
  };
}

/** The first model call the witness records is the gap: said once (stderr and log) by the recorder's warn. */
function reportingGap(ctx: TapContext): TapContext {
  const match = ctx.matchEndpoint;
  let told = false;
  ctx.matchEndpoint = (method, url) => {
    const found = match(method, url);
    if (found && !told) {
      told = true;
      ctx.warn(
        'in-process-gap',
        `the in-process tap did not see a model call of this Bun-compiled agent (${method} ${url.pathname}); the proxy fallback records every call it misses`,
      );
    }
    return found;
  };
  return ctx;
}
