/**
 * The one place that says what each setting means. A config file (JSON) and `AGENTTAP_*` environment
 * variables fill the same schema; the environment wins. `agenttap schema config` prints it as JSON Schema.
 * The agent's start-up path checks a config by hand first (check.ts, held equal to this by a property test).
 */
import { z } from 'zod';
import { SESSION_ID } from './session-id.js';
import { checkUserRegex } from './user-regex.js';

export { SESSION_ID };

export const SessionId = z.string().regex(SESSION_ID, {
  message:
    'is not a single folder name. Fix: start with a letter or digit, then use letters, digits, ".", "_" or "-", at most 128 characters (e.g. "review-42")',
});

export const EndpointRule = z
  .object({
    /** Host name to match exactly (e.g. `llm.internal.example`); omit to match any host. */
    host: z.string().min(1).optional(),
    /** Path prefix to match (e.g. `/api/generate`). */
    path: z.string().startsWith('/', { message: 'must start with "/"' }).optional(),
  })
  .strict()
  .refine((r) => r.host !== undefined || r.path !== undefined, { message: 'give a host, a path, or both' });

export const ConfigSchema = z
  .object({
    /** Master switch. `AGENTTAP_ENABLED=0` loads the loader but installs nothing. */
    enabled: z.boolean().default(true),
    /** Root folder of sessions; each session is `<dir>/<session-id>/`. Relative to the working directory. */
    dir: z.string().min(1).default('.agenttap/sessions'),
    /** Session id, one folder name under `dir`; default: a timestamp plus a random suffix. Child processes inherit it. */
    session: SessionId.optional(),
    /** Whether Node child processes that inherit the loader (through NODE_OPTIONS) join the session. */
    children: z.enum(['join', 'off']).default('join'),
    /** Extra model endpoints to capture, beyond the built-in Anthropic and OpenAI paths. */
    endpoints: z.array(EndpointRule).default([]),
    capture: z
      .object({
        /** Bytes of a request or response body to keep; past it the record says `truncated`. */
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024),
        /** Parts of a request at least this big (JSON bytes) are written once as blobs and referenced. */
        blobMinBytes: z.number().int().nonnegative().default(256),
      })
      .strict()
      .prefault({}),
    redact: z
      .object({
        /** The per-install HMAC key that makes placeholder tags stable. */
        keyFile: z.string().min(1).optional(),
        /** Extra secret patterns: `{ "name": "internal-token", "pattern": "itk_[a-z0-9]{32}" }`. */
        patterns: z
          .array(
            z
              .object({
                name: z.string().regex(/^[a-z0-9-]+$/, { message: 'use lower-case letters, digits and "-"' }),
                /** A JavaScript regex, run globally over every captured text; checked for catastrophic backtracking at load. */
                pattern: z.string().min(1),
                /** Any of `i`, `m`, `s`, `u`, `v` (`g` is implied; `y` is refused). */
                flags: z.string().optional(),
              })
              .strict()
              .superRefine((p, ctx) => {
                const problem = checkUserRegex(p.pattern, p.flags ?? '', 'scan');
                if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
              }),
          )
          .default([]),
        /** The narrow keyed high-entropy rule (`password = <random>`). */
        highEntropy: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /**
     * The SDK layer (patches @anthropic-ai/sdk, openai and the Bedrock/Vertex clients through module hooks):
     * `auto` turns it on where Node has synchronous module hooks (≥ 22.22.3, ≥ 24.11.1, 26) and off where only
     * the costly async `module.register` exists (Node 20) — figures in BENCHMARKS.md; `on`/`off` force it.
     */
    sdk: z.enum(['auto', 'on', 'off']).default('auto'),
    /** A rewrite rules file (JSON, YAML, or an .mjs module): see `agenttap schema rules`. */
    rules: z.string().min(1).optional(),
    /** Evaluate and log the rules, but send every request unchanged. */
    dryRun: z.boolean().default(false),
    /** A price table (JSON, `{"models": [{match, input, output, cache_write, cache_read}]}`, USD per MTok) put before the shipped one: what rewrite savings are priced with. */
    prices: z.string().min(1).optional(),
    /** Extra package directory names holding a copy of a supported SDK (installed under an npm alias). */
    sdkPackages: z
      .array(z.string().regex(/^(@[a-z0-9._~-]+\/)?[a-z0-9._~-]+$/i, { message: 'use an npm package name' }))
      .default([]),
    /** Debug lines on stderr (also `NODE_DEBUG=agenttap`). */
    debug: z.boolean().default(false),
    /** Live export of the session as it is recorded (src/export/). Off when absent. */
    export: z
      .object({
        /**
         * OTLP over HTTP to a collector. What is not set here comes from the standard `OTEL_EXPORTER_OTLP_*`
         * variables (TRACES_ENDPOINT, ENDPOINT, HEADERS, PROTOCOL, TIMEOUT), then the OTLP defaults
         * (`http://localhost:4318`, `http/protobuf`, 10 s). Those variables alone do not turn export on.
         */
        otlp: z
          .object({
            /** The collector's base URL (`/v1/traces` is added unless the URL ends with it). */
            endpoint: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
            protocol: z.enum(['http/protobuf', 'http/json']).optional(),
            /** Request headers (e.g. `{"authorization": "Bearer …"}`), over OTEL_EXPORTER_OTLP_HEADERS. */
            headers: z.record(z.string(), z.string()).optional(),
            /** Also export the prompts and answers (`gen_ai.input.messages`, …), redacted and size-capped. */
            content: z.boolean().default(false),
            /** Milliseconds between batches. */
            interval: z.number().int().min(100).max(600_000).default(5000),
            /** Milliseconds one export may take (OTEL_EXPORTER_OTLP_TIMEOUT). */
            timeout: z.number().int().positive().max(600_000).optional(),
            /** Milliseconds the agent's exit may wait for the last spans (never longer than `timeout`). */
            exitWait: z.number().int().nonnegative().max(30_000).default(1000),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
