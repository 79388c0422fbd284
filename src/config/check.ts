/**
 * The config schema (schema.ts) checked by hand, for the agent's start-up path: zod costs ~50 ms of module loading
 * on Node 20 (issue 13), and a config that is right needs none of it. `checkConfig` returns the parsed config —
 * defaults filled in, exactly what `ConfigSchema.parse` returns — only when it is sure the input is valid; on any
 * doubt it returns undefined and load.ts asks zod, which then accepts or names the error. So this check may refuse
 * more than zod (it costs time, never a wrong answer) but never accepts what zod refuses: a property-based test
 * (tests/unit/config/check.test.ts) holds the two together. Change the schema, change this file.
 */
import type { Config } from './schema.js';
import { SESSION_ID } from './session-id.js';
import { checkUserRegex } from './user-regex.js';

const NAME = /^[a-z0-9-]+$/;
const PACKAGE = /^(@[a-z0-9._~-]+\/)?[a-z0-9._~-]+$/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Throws (caught below) on the first doubt. */
class Doubt extends Error {}
function sure(ok: boolean): void {
  if (!ok) throw new Doubt();
}

/** Own keys all among `known`, none of them `__proto__`-like: what a strict zod object accepts. */
function strict(value: unknown, known: readonly string[]): Obj {
  sure(isObj(value) && Object.getPrototypeOf(value) === Object.prototype);
  for (const key of Object.keys(value as Obj)) sure(known.includes(key));
  return value as Obj;
}

/** `field` absent (or undefined) → `fallback`; present → `check`ed. */
function field<T>(obj: Obj, key: string, fallback: T, check: (v: unknown) => boolean): T {
  const v = obj[key];
  if (v === undefined) return fallback;
  sure(check(v));
  return v as T;
}

function optional(out: Obj, obj: Obj, key: string, check: (v: unknown) => boolean): void {
  const v = obj[key];
  if (v === undefined) return;
  sure(check(v));
  out[key] = v;
}

const bool = (v: unknown) => typeof v === 'boolean';
const oneOf = (values: string[]) => (v: unknown) => typeof v === 'string' && values.includes(v);
const safeInt = (min: number) => (v: unknown) => Number.isSafeInteger(v) && (v as number) >= min;

function endpoint(value: unknown): Obj {
  const e = strict(value, ['host', 'path']);
  const out: Obj = {};
  optional(out, e, 'host', isText);
  optional(out, e, 'path', (v) => typeof v === 'string' && v.startsWith('/'));
  sure(out.host !== undefined || out.path !== undefined);
  return out;
}

function pattern(value: unknown): Obj {
  const p = strict(value, ['name', 'pattern', 'flags']);
  sure(typeof p.name === 'string' && NAME.test(p.name) && isText(p.pattern));
  const out: Obj = { name: p.name, pattern: p.pattern };
  optional(out, p, 'flags', (v) => typeof v === 'string');
  sure(checkUserRegex(p.pattern as string, (out.flags as string | undefined) ?? '', 'scan') === undefined);
  return out;
}

function list(obj: Obj, key: string, item: (v: unknown) => unknown): unknown[] {
  const v = obj[key];
  if (v === undefined) return [];
  sure(Array.isArray(v));
  return (v as unknown[]).map(item);
}

const KEYS = [
  'enabled',
  'dir',
  'session',
  'children',
  'endpoints',
  'capture',
  'redact',
  'sdk',
  'rules',
  'dryRun',
  'prices',
  'sdkPackages',
  'debug',
] as const;

function parse(input: unknown): Config {
  const c = strict(input, KEYS);
  const capture = strict(c.capture === undefined ? {} : c.capture, ['maxBodyBytes', 'blobMinBytes']);
  const redact = strict(c.redact === undefined ? {} : c.redact, ['keyFile', 'patterns', 'highEntropy']);
  const out: Obj = {
    enabled: field(c, 'enabled', true, bool),
    dir: field(c, 'dir', '.agenttap/sessions', isText),
    children: field(c, 'children', 'join', oneOf(['join', 'off'])),
    endpoints: list(c, 'endpoints', endpoint),
    capture: {
      maxBodyBytes: field(capture, 'maxBodyBytes', 16 * 1024 * 1024, safeInt(1)),
      blobMinBytes: field(capture, 'blobMinBytes', 256, safeInt(0)),
    },
    redact: {
      patterns: list(redact, 'patterns', pattern),
      highEntropy: field(redact, 'highEntropy', true, bool),
    },
    sdk: field(c, 'sdk', 'auto', oneOf(['auto', 'on', 'off'])),
    dryRun: field(c, 'dryRun', false, bool),
    sdkPackages: list(c, 'sdkPackages', (v) => {
      sure(typeof v === 'string' && PACKAGE.test(v));
      return v;
    }),
    debug: field(c, 'debug', false, bool),
  };
  optional(out, c, 'session', (v) => typeof v === 'string' && SESSION_ID.test(v));
  optional(out, c, 'rules', isText);
  optional(out, c, 'prices', isText);
  optional(out.redact as Obj, redact, 'keyFile', isText);
  return out as unknown as Config;
}

/** The config as `ConfigSchema.parse(input)` returns it, or undefined: not sure, ask zod. */
export function checkConfig(input: unknown): Config | undefined {
  try {
    return parse(input);
  } catch (err) {
    if (err instanceof Doubt) return undefined;
    return undefined; // anything unexpected (a getter, a proxy): zod decides
  }
}
