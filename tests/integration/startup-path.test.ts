/**
 * Issue 13: a process that never calls a model pays for the patches only. Before the agent's first line the loader
 * (with settings to validate) loads none of what the capture needs — undici (Node loads it when `globalThis.Response`
 * is read), https/tls, crypto, zlib, perf_hooks, async_hooks — over what the same process loads without it; zod
 * neither (it would bring no built-in, so the hand check is held to the schema in tests/unit/config/check.test.ts).
 * The first model call still gets recorded: every capture test runs through this lazy path.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runNode } from '../helpers/run.js';

const APP = join(ROOT, 'tests/fixtures/apps/builtins.mjs');
const CJS_APP = join(ROOT, 'tests/fixtures/apps/builtins.cjs');
const MODULES_APP = join(ROOT, 'tests/fixtures/apps/start-modules.mjs');
const FORBIDDEN = [
  'NativeModule internal/deps/undici/undici',
  // the main-thread check reads a mark Node puts in workers instead (src/loader/index.ts)
  'NativeModule worker_threads',
  'NativeModule https',
  'NativeModule tls',
  'NativeModule crypto',
  'NativeModule zlib',
  'NativeModule perf_hooks',
  'NativeModule async_hooks',
];

async function added(node?: string, env: Record<string, string> = {}, app = APP): Promise<string[]> {
  const plain = await runNode(app, { loader: false, node, env });
  const tapped = await runNode(app, { node, env });
  expect(tapped.stderr).toBe('');
  const before = new Set(JSON.parse(plain.stdout) as string[]);
  return (JSON.parse(tapped.stdout) as string[]).filter((m) => !before.has(m));
}

describe('the loader start-up path', () => {
  it('loads none of the capture built-ins before the first line (Node 20: http.Agent, in the loop turn before an ESM main)', async () => {
    const extra = await added();
    expect(extra.filter((m) => FORBIDDEN.includes(m))).toEqual([]);
    // What it does load on Node 20, at the event loop's turn while an ESM agent's files load: http.Agent's module,
    // for the http tap — not node:http's parser, client or server.
    expect(extra.filter((m) => /^NativeModule (_?https?|_http_\w+)$/.test(m))).toEqual(
      Number(process.versions.node.split('.')[0]) === 20 ? ['NativeModule _http_agent'] : [],
    );
  });

  it('a CommonJS agent that does not take http gets none of it before its first line (any Node)', async () => {
    const extra = await added(undefined, {}, CJS_APP);
    expect(extra.filter((m) => FORBIDDEN.includes(m) || /^NativeModule (_?https?|_http_\w+|net)$/.test(m))).toEqual([]);
  });

  // The SDK layer (on by default on Node 22) has a start cost of its own (module hooks): measured apart, so off here.
  it('on Node 22, no http module at all (the http.client.request.created channel)', async () => {
    const { ensureNode } = (await import('../../bench/lib/node-bin.mjs' as string)) as {
      ensureNode(major: number): string;
    };
    const extra = await added(ensureNode(22), { AGENTTAP_SDK: 'off' });
    // nor the stream modules an ESM import of node:fs brings (its facade reads the lazy fs.ReadStream)
    expect(extra.filter((m) => FORBIDDEN.includes(m) || /^NativeModule (https?|net|stream)$/.test(m))).toEqual([]);
  }, 300_000);

  // The SDK layer's hooks at start (issue 13, its +90 ms on Node 22): RITM (bundled without `debug`: tty, net) at
  // the first require() of an SDK, IITM's hook (es-module-lexer, cjs-module-lexer) and the patch code at the first
  // SDK file. That they still hook the SDK when it comes: tests/integration/sdk-layer.test.ts.
  it('on Node 22 with the SDK layer on (the default): no RITM, no IITM, no debug, no tty/net before the first line', async () => {
    const { ensureNode } = (await import('../../bench/lib/node-bin.mjs' as string)) as {
      ensureNode(major: number): string;
    };
    const node = ensureNode(22);
    const env = { AGENTTAP_DEBUG: '1' };
    const plain = await runNode(MODULES_APP, { loader: false, node, env });
    const tapped = await runNode(MODULES_APP, { node, env });
    expect(tapped.stderr).toContain('SDK layer on');
    const before = JSON.parse(plain.stdout) as { builtins: string[]; cjs: string[] };
    const after = JSON.parse(tapped.stdout) as { builtins: string[]; cjs: string[] };
    const extra = after.builtins.filter((m) => !before.builtins.includes(m));
    expect(extra.filter((m) => FORBIDDEN.includes(m) || /^NativeModule (https?|net|tty|stream)$/.test(m))).toEqual([]);
    expect(
      after.cjs.filter((f) => /[\\/]node_modules[\\/](debug|import-in-the-middle|cjs-module-lexer)[\\/]/.test(f)),
    ).toEqual([]);
    expect(after.cjs.filter((f) => /ritm\.cjs$|[\\/]require-in-the-middle[\\/]/.test(f))).toEqual([]);
  }, 300_000);
});
