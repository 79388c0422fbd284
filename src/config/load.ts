/**
 * Reads the config: an optional JSON file (`AGENTTAP_CONFIG`, else `./agenttap.config.json` when present)
 * overlaid by `AGENTTAP_*` variables, validated by one schema. Any problem throws AGENTTAP_CONFIG_INVALID
 * with the source (file or variable), the field and the fix — the loader turns that into a stop *before*
 * the agent starts. With nothing to read, the defaults are returned without loading zod (see defaults.ts); a
 * valid config is checked by hand (check.ts), zod loads only to name what is wrong.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { AgentTapError, fieldPath } from '../errors.js';
import { isRecord } from '../exchange/json.js';
import { checkConfig } from './check.js';
import { defaultConfig } from './defaults.js';
import type { Config } from './schema.js';

// node:fs by require(), not import: an ESM import builds node:fs's ESM facade, which reads every export — the lazy
// `fs.ReadStream` getter too, loading Node's ~20 stream modules into every agent's start (issue 13; Node 22: the
// loader then loads fewer built-ins than a minimal tee importing node:fs). Same in src/stderr.ts.
const { existsSync, readFileSync } = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

const DEFAULT_FILE = 'agenttap.config.json';

type EnvKind = 'string' | 'boolean' | 'integer' | 'endpoints' | 'list';

/** Environment variable → config field path. One table, so errors can name the variable. */
const ENV_FIELDS: Record<string, { path: string[]; kind: EnvKind }> = {
  AGENTTAP_ENABLED: { path: ['enabled'], kind: 'boolean' },
  AGENTTAP_DIR: { path: ['dir'], kind: 'string' },
  AGENTTAP_SESSION: { path: ['session'], kind: 'string' },
  AGENTTAP_CHILDREN: { path: ['children'], kind: 'string' },
  AGENTTAP_ENDPOINTS: { path: ['endpoints'], kind: 'endpoints' },
  AGENTTAP_MAX_BODY_BYTES: { path: ['capture', 'maxBodyBytes'], kind: 'integer' },
  AGENTTAP_KEY_FILE: { path: ['redact', 'keyFile'], kind: 'string' },
  AGENTTAP_SDK: { path: ['sdk'], kind: 'string' },
  AGENTTAP_RULES: { path: ['rules'], kind: 'string' },
  AGENTTAP_DRY_RUN: { path: ['dryRun'], kind: 'boolean' },
  AGENTTAP_PRICES: { path: ['prices'], kind: 'string' },
  AGENTTAP_SDK_PACKAGES: { path: ['sdkPackages'], kind: 'list' },
  AGENTTAP_DEBUG: { path: ['debug'], kind: 'boolean' },
};

/**
 * `AGENTTAP_*` variables that the user gave as command-line flags, by variable (`AGENTTAP_CONFIG` → `--config`):
 * `agenttap run` and `proxy` translate their flags into variables, and an error must name what the user typed.
 */
export type FlagNames = Partial<Record<string, string>>;

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file read, if any. */
  file?: string;
}

export async function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  flags: FlagNames = {},
): Promise<LoadedConfig> {
  const file = configFile(env, cwd, flags);
  const fromEnv = envValues(env, flags);
  let config: Config;
  if (!file && Object.keys(fromEnv).length === 0) config = defaultConfig();
  else {
    const input = overlay(file ? readJsonFile(file) : {}, fromEnv);
    // zod only when the hand check is not sure: to name the error (or accept what the check was wary of).
    const checked = checkConfig(input);
    if (checked) config = checked;
    else {
      const { ConfigSchema } = await import('./schema.js');
      const parsed = ConfigSchema.safeParse(input);
      if (!parsed.success) throw configError(parsed.error, file, env, flags);
      config = parsed.data;
    }
    // The OTEL_EXPORTER_OTLP_* variables it reads are checked now, before the agent starts.
    if (config.export?.otlp) (await import('../export/settings.js')).resolveOtlpSettings(config.export.otlp, env);
  }
  if (!config.debug && /\bagenttap\b/.test(env.NODE_DEBUG ?? '')) config.debug = true;
  return { config, file };
}

/** How the user gave a variable: the flag they typed, else the variable itself. */
export function sourceOf(variable: string, flags: FlagNames): string {
  return flags[variable] ?? `environment variable ${variable}`;
}

function configFile(env: NodeJS.ProcessEnv, cwd: string, flags: FlagNames): string | undefined {
  if (env.AGENTTAP_CONFIG) {
    const file = resolve(cwd, env.AGENTTAP_CONFIG);
    if (!existsSync(file)) {
      const flag = flags.AGENTTAP_CONFIG;
      throw new AgentTapError(
        'AGENTTAP_CONFIG_INVALID',
        `agenttap: ${flag ?? 'environment variable AGENTTAP_CONFIG'} points at ${file}, which does not exist. Fix: ${flag ? `correct the path given to ${flag}` : 'correct the path or unset AGENTTAP_CONFIG'}.`,
      );
    }
    return file;
  }
  const fallback = resolve(cwd, DEFAULT_FILE);
  return existsSync(fallback) ? fallback : undefined;
}

function readJsonFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgentTapError('AGENTTAP_CONFIG_INVALID', `${file}: cannot be read (${(err as Error).message}).`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AgentTapError(
      'AGENTTAP_CONFIG_INVALID',
      `${file}: not valid JSON (${(err as Error).message}). Fix: check the syntax, e.g. with \`node -e 'JSON.parse(require("fs").readFileSync("${file}","utf8"))'\`.`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AgentTapError('AGENTTAP_CONFIG_INVALID', `${file}: the top level must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/** Values from the environment, shaped like the config file. Type errors are left for zod to name. */
function envValues(env: NodeJS.ProcessEnv, flags: FlagNames): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(ENV_FIELDS)) {
    const raw = env[name];
    // An empty variable counts as unset; an empty flag (`--session ""`) is a mistake for zod to name.
    if (raw === undefined || (raw === '' && flags[name] === undefined)) continue;
    setPath(out, field.path, convert(raw, field.kind));
  }
  return out;
}

function convert(raw: string, kind: EnvKind): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return raw; // zod names the variable and the expected type
    case 'integer':
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case 'endpoints':
      // "host", "/path" or "host/path", comma-separated
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((item) => {
          const slash = item.indexOf('/');
          if (slash === 0) return { path: item };
          if (slash < 0) return { host: item };
          return { host: item.slice(0, slash), path: item.slice(slash) };
        });
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] = typeof node[key] === 'object' && node[key] !== null ? node[key] : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function overlay(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const below = out[key];
    out[key] = isRecord(below) && isRecord(value) ? overlay(below, value) : value;
  }
  return out;
}

function configError(
  error: z.ZodError,
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  flags: FlagNames,
): AgentTapError {
  const lines = error.issues.map((issue) => {
    const field = fieldPath(issue.path) || '(top level)';
    const variable = Object.entries(ENV_FIELDS).find(
      ([name, f]) =>
        (env[name] || flags[name] !== undefined) && f.path.join('.') === issue.path.slice(0, f.path.length).join('.'),
    )?.[0];
    const source = variable ? sourceOf(variable, flags) : (file ?? 'config');
    return `  ${source}: field "${field}": ${issue.message}.${fixFor(issue)}`;
  });
  return new AgentTapError('AGENTTAP_CONFIG_INVALID', `agenttap: invalid configuration\n${lines.join('\n')}`);
}

function fixFor(issue: z.core.$ZodIssue): string {
  // Some messages carry their own fix (a user regex, a session id).
  if (/ Fix: /.test(issue.message)) return '';
  if (issue.code === 'unrecognized_keys')
    return ` Fix: remove ${issue.keys.map((k) => `"${k}"`).join(', ')} (see \`agenttap schema config\`).`;
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return ` Fix: use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`;
  }
  return ' Fix: see `agenttap schema config` for the expected shape.';
}
