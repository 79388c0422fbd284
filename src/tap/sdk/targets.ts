/**
 * What the SDK layer patches, as data: the packages, the internal files (relative to the package root,
 * without extension — the `.js` CJS and `.mjs` ESM copies alike), and on each file the class and methods.
 * The module hooks wrap only these files (docs/module-hooks.md#allow-list-sdk-files: wrapping every module breaks `export let` live
 * bindings and costs 2–3× import time); matching the internal file rather than the package entry also
 * catches subpath imports such as `@anthropic-ai/sdk/client` (docs/module-hooks.md#subpath-imports).
 *
 * Version ranges, by file layout (each checked by tests/integration/sdk-*.test.ts):
 *   @anthropic-ai/sdk 0.41 (core.js, node-fetch) … 1.x (client.js, fetch + middleware)
 *   openai 4.x (core.js, node-fetch) … 7.x (client.js)
 *   @anthropic-ai/bedrock-sdk, @anthropic-ai/vertex-sdk 1.x: their clients extend the core SDK's
 *   BaseAnthropic and reuse its Messages resource, so the core SDK's files cover them; the client kind is
 *   told apart at call time.
 */

export type Family = 'anthropic' | 'openai';

/** Package directory names whose files are looked at (plus `sdkPackages` from the config, for aliases). */
export const SDK_PACKAGES: Record<string, Family> = {
  '@anthropic-ai/sdk': 'anthropic',
  '@anthropic-ai/bedrock-sdk': 'anthropic',
  '@anthropic-ai/vertex-sdk': 'anthropic',
  openai: 'openai',
};

export interface ResourceTarget {
  kind: 'resource';
  family: Family;
  /** The exported class. */
  exportName: string;
  /** The method path as users write it after `client.`. */
  prefix: string;
  methods: readonly string[];
}

/** The client base class: its `fetchWithTimeout` runs once per HTTP attempt (retries included). */
export interface ClientTarget {
  kind: 'client';
}

export type Target = ResourceTarget | ClientTarget;

const CLIENT: ClientTarget = { kind: 'client' };

export const FILES: Record<string, Target> = {
  client: CLIENT,
  core: CLIENT,
  'resources/messages/messages': {
    kind: 'resource',
    family: 'anthropic',
    exportName: 'Messages',
    prefix: 'messages',
    methods: ['create', 'stream', 'parse', 'countTokens'],
  },
  'resources/beta/messages/messages': {
    kind: 'resource',
    family: 'anthropic',
    exportName: 'Messages',
    prefix: 'beta.messages',
    methods: ['create', 'stream', 'parse', 'countTokens'],
  },
  'resources/chat/completions/completions': {
    kind: 'resource',
    family: 'openai',
    exportName: 'Completions',
    prefix: 'chat.completions',
    methods: ['create', 'stream', 'parse'],
  },
  'resources/responses/responses': {
    kind: 'resource',
    family: 'openai',
    exportName: 'Responses',
    prefix: 'responses',
    methods: ['create', 'stream', 'parse'],
  },
};

/** The method that makes one HTTP attempt, on every supported client base class. */
export const ATTEMPT_METHOD = 'fetchWithTimeout';

/** Client kind by class name (walking up the prototype chain); the family is the fallback. */
const CLIENT_KINDS: Record<string, string> = {
  AnthropicBedrock: 'anthropic-bedrock',
  AnthropicVertex: 'anthropic-vertex',
  Anthropic: 'anthropic',
  AzureOpenAI: 'openai-azure',
  OpenAI: 'openai',
};

export function clientKind(client: unknown, family: Family): string {
  let proto = client === null || client === undefined ? null : Object.getPrototypeOf(client);
  for (let depth = 0; proto && depth < 8; depth++, proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && CLIENT_KINDS[name]) return CLIENT_KINDS[name];
  }
  return family;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The ESM hook's allow-list: file URLs of the target files in any of the packages. */
export function fileUrlPattern(packages: readonly string[]): RegExp {
  const pkgs = packages.map(escapeRegex).join('|');
  const files = Object.keys(FILES).map(escapeRegex).join('|');
  return new RegExp(`/node_modules/(?:${pkgs})/(?:${files})\\.m?js$`);
}

/** `@anthropic-ai/sdk/resources/messages/messages.mjs` → the target for `resources/messages/messages`. */
export function targetFor(name: string, packages: readonly string[]): Target | undefined {
  const normalised = name.replace(/\\/g, '/');
  for (const pkg of packages) {
    if (!normalised.startsWith(`${pkg}/`)) continue;
    const rel = normalised.slice(pkg.length + 1).replace(/\.(?:m|c)?js$/, '');
    return Object.hasOwn(FILES, rel) ? FILES[rel] : undefined;
  }
  return undefined;
}
