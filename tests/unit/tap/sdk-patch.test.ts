/**
 * The SDK patches in-process, on stand-in classes shaped like the SDKs' (a resource whose method calls its
 * client's `fetchWithTimeout`): identity of what is returned, idempotence, unpatching, rewriters that throw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';
import type { RequestRecord } from '../../../src/log/recorder.js';
import type { TapContext } from '../../../src/tap/context.js';
import { addParamsRewriter } from '../../../src/tap/rewrite.js';
import { patchClients, patchResource, unpatch, type Patch } from '../../../src/tap/sdk/patch.js';
import { FILES, type ResourceTarget } from '../../../src/tap/sdk/targets.js';

class BaseAnthropic {
  seen: unknown[] = [];
  async fetchWithTimeout(url: string, init: RequestInit): Promise<Response> {
    this.seen.push(JSON.parse(String(init.body)));
    return new Response(JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'm', stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } }), {
      headers: { 'content-type': 'application/json' },
    });
  }
}
class Messages {
  constructor(readonly _client: BaseAnthropic) {}
  create(params: Record<string, unknown>) {
    const promise = this._client.fetchWithTimeout('http://127.0.0.1:9/v1/messages', { method: 'post', body: JSON.stringify(params) });
    return Object.assign(promise, { withResponse: () => 'kept' });
  }
}
const target = FILES['resources/messages/messages'] as ResourceTarget;

function context() {
  const requests: RequestRecord[] = [];
  const warnings: string[] = [];
  let n = 0;
  const ctx: TapContext = {
    recorder: { request: (r) => requests.push(r), response: () => {}, end: () => {}, rewrite: () => {} },
    matchEndpoint: createEndpointMatcher(),
    warn: (code) => warnings.push(code),
    maxBodyBytes: 1 << 20,
    nextExchangeId: () => `x-${++n}`,
    open: new Set(),
  };
  return { ctx, requests, warnings };
}

let patches: Patch[] = [];
const removals: (() => void)[] = [];
afterEach(() => {
  unpatch(patches);
  patches = [];
  removals.splice(0).forEach((r) => r());
});

describe('SDK prototype patches', () => {
  it('hand back what the SDK returned, and record an attempt no tap below claimed at the sdk layer', async () => {
    const { ctx, requests } = context();
    const original = Messages.prototype.create;
    patches = [...patchResource(ctx, { Messages }, target), ...patchClients(ctx, { BaseAnthropic })];
    expect(Messages.prototype.create).not.toBe(original);
    const client = new BaseAnthropic();
    const result = new Messages(client).create({ model: 'm', max_tokens: 1, messages: [] });
    expect(result.withResponse()).toBe('kept'); // the SDK's own object, helpers intact
    await (await result).json();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ layer: 'sdk', sdk: { client: 'anthropic', method: 'messages.create', attempt: 1 } });
  });

  it('patch once across copies, and unpatch back to the original', () => {
    const { ctx } = context();
    const original = Messages.prototype.create;
    patches = patchResource(ctx, { Messages }, target);
    expect(patches).toHaveLength(1);
    expect(patchResource(ctx, { Messages }, target)).toEqual([]);
    unpatch(patches);
    patches = [];
    expect(Messages.prototype.create).toBe(original);
  });

  it('a params rewriter that throws leaves the params untouched and warns', async () => {
    const { ctx, warnings } = context();
    patches = [...patchResource(ctx, { Messages }, target), ...patchClients(ctx, { BaseAnthropic })];
    removals.push(
      addParamsRewriter(() => {
        throw new Error('rule bug');
      }),
      addParamsRewriter((p, { client, method }) => (client === 'anthropic' && method === 'messages.create' ? { ...p, model: 'swapped' } : undefined)),
    );
    const client = new BaseAnthropic();
    await new Messages(client).create({ model: 'm', max_tokens: 1, messages: [] });
    expect(warnings).toContain('sdk-rewrite-failed');
    expect(client.seen).toEqual([{ model: 'swapped', max_tokens: 1, messages: [] }]);
  });
});
