/**
 * The SDK patches in-process, on stand-in classes shaped like the SDKs' (a resource whose method calls its
 * client's `fetchWithTimeout`): identity of what is returned, idempotence, unpatching, the rules on a platform
 * client's params (applied before the SDK builds the request; rules that throw leave it untouched).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';
import type { RequestRecord } from '../../../src/log/recorder.js';
import type { TapContext } from '../../../src/tap/context.js';
import type { RulesStep } from '../../../src/policy/rewrite/wire.js';
import { patchClients, patchResource, unpatch, type Patch } from '../../../src/tap/sdk/patch.js';
import { FILES, type ResourceTarget } from '../../../src/tap/sdk/targets.js';

class BaseAnthropic {
  seen: unknown[] = [];
  async fetchWithTimeout(_url: string, init: RequestInit): Promise<Response> {
    this.seen.push(JSON.parse(String(init.body)));
    return new Response(
      JSON.stringify({
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        content: [],
        model: 'm',
        stop_reason: 'end_turn',
        usage: { input_tokens: 1, output_tokens: 1 },
      }),
      {
        headers: { 'content-type': 'application/json' },
      },
    );
  }
}
/** A platform client: its requests are signed, so the rules run on its params (docs/sdk-layer.md#signed-bodies). */
class AnthropicBedrock extends BaseAnthropic {}
class Messages {
  constructor(readonly _client: BaseAnthropic) {}
  create(params: Record<string, unknown>) {
    const promise = this._client.fetchWithTimeout('http://127.0.0.1:9/v1/messages', {
      method: 'post',
      body: JSON.stringify(params),
    });
    return Object.assign(promise, { withResponse: () => 'kept' });
  }
}
const target = FILES['resources/messages/messages'] as ResourceTarget;

function context() {
  const requests: RequestRecord[] = [];
  const rewrites: unknown[] = [];
  const warnings: string[] = [];
  let n = 0;
  const ctx: TapContext = {
    recorder: { request: (r) => requests.push(r), response: () => {}, end: () => {}, rewrite: (r) => rewrites.push(r) },
    matchEndpoint: createEndpointMatcher(),
    warn: (code) => warnings.push(code),
    maxBodyBytes: 1 << 20,
    nextExchangeId: () => `x-${++n}`,
    open: new Set(),
  };
  return { ctx, requests, rewrites, warnings };
}

let patches: Patch[] = [];
afterEach(() => {
  unpatch(patches);
  patches = [];
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
    expect(requests[0]).toMatchObject({
      layer: 'sdk',
      sdk: { client: 'anthropic', method: 'messages.create', attempt: 1 },
    });
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

  it("the rules rewrite a platform call's params before the SDK builds the request, and the attempt logs the decision", async () => {
    const { ctx, requests, rewrites } = context();
    const seenByRules: string[] = [];
    ctx.rules = ((request) => {
      seenByRules.push(`${request.endpoint} ${request.path} ${String(request.body.model)}`);
      return {
        event: { dry_run: false, sent: true, rules: [{ rule: 'swap', actions: ['setModel'] }] },
        send: {
          body: JSON.stringify({ ...request.body, model: 'swapped' }),
          headers: { ...request.headers, 'anthropic-beta': 'b1' },
        },
      };
    }) satisfies RulesStep;
    patches = [...patchResource(ctx, { Messages }, target), ...patchClients(ctx, { BaseAnthropic })];
    const client = new AnthropicBedrock();
    await new Messages(client).create({ model: 'm', max_tokens: 1, messages: [] });
    expect(seenByRules).toEqual(['anthropic.messages /v1/messages m']);
    expect(client.seen).toEqual([{ model: 'swapped', max_tokens: 1, messages: [] }]);
    expect(rewrites).toEqual([
      { exchange: requests[0]!.id, dry_run: false, sent: true, rules: [{ rule: 'swap', actions: ['setModel'] }] },
    ]);
  });

  it('a first-party client is left to the wire: the rules do not run on its params', async () => {
    const { ctx } = context();
    let called = 0;
    ctx.rules = () => {
      called++;
      return undefined;
    };
    patches = [...patchResource(ctx, { Messages }, target), ...patchClients(ctx, { BaseAnthropic })];
    const client = new BaseAnthropic();
    await new Messages(client).create({ model: 'm', max_tokens: 1, messages: [] });
    expect(called).toBe(0);
    expect(client.seen).toEqual([{ model: 'm', max_tokens: 1, messages: [] }]);
  });

  it('rules that throw on a platform call leave the params untouched and warn', async () => {
    const { ctx, warnings } = context();
    ctx.rules = () => {
      throw new Error('rule bug');
    };
    patches = [...patchResource(ctx, { Messages }, target), ...patchClients(ctx, { BaseAnthropic })];
    const client = new AnthropicBedrock();
    await new Messages(client).create({ model: 'm', max_tokens: 1, messages: [] });
    expect(warnings).toContain('rules-failed');
    expect(client.seen).toEqual([{ model: 'm', max_tokens: 1, messages: [] }]);
  });
});
