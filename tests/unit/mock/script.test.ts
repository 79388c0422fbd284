import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultScript, exampleFromSchema, startMock, type MockServer } from '../../../src/mock/index.js';
import { parseScriptFile } from '../../../src/mock/script-file.js';

describe('defaultScript and example inputs', () => {
  it('calls the first tool, then answers; without tools answers at once', () => {
    const script = defaultScript([
      { name: 'first', input_schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
      { name: 'second', input_schema: { type: 'object' } },
    ]);
    expect(script).toHaveLength(2);
    expect(script[0]).toEqual({ toolUse: { name: 'first', input: { q: 'example' } } });
    expect(script[1]!.text).toContain('first');
    expect(defaultScript([])).toHaveLength(1);
    expect(defaultScript([])[0]!.text).toBeTruthy();
  });

  it('reads tools in Chat Completions and Responses shapes too', () => {
    const params = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    expect(defaultScript([{ type: 'function', function: { name: 'chat', parameters: params } }])[0]).toEqual({
      toolUse: { name: 'chat', input: { n: 1 } },
    });
    expect(defaultScript([{ type: 'function', name: 'resp', parameters: params }])[0]).toEqual({
      toolUse: { name: 'resp', input: { n: 1 } },
    });
  });

  it('builds values from required properties only, recursively', () => {
    expect(
      exampleFromSchema({
        type: 'object',
        properties: {
          s: { type: 'string' },
          a: { type: 'integer' },
          b: { type: 'number', minimum: 10 },
          flag: { type: 'boolean' },
          mode: { enum: ['fast', 'slow'] },
          maybe: { type: ['string', 'null'] },
          list: { type: 'array', items: { type: 'string' }, minItems: 1 },
          nested: { type: 'object', properties: { x: { type: 'integer' }, y: { type: 'string' } }, required: ['x'] },
          choice: { anyOf: [{ type: 'null' }, { type: 'string' }] },
          optional: { type: 'string' },
        },
        required: ['s', 'a', 'b', 'flag', 'mode', 'maybe', 'list', 'nested', 'choice'],
      }),
    ).toEqual({
      s: 'example',
      a: 1,
      b: 10,
      flag: true,
      mode: 'fast',
      maybe: 'example',
      list: ['example'],
      nested: { x: 3 },
      choice: 'example',
    });
  });
});

describe('script files', () => {
  it('accepts an array of turns or {turns, finalText}', () => {
    expect(parseScriptFile('[{"text":"a"},{"toolUse":{"name":"t"}}]').script).toEqual([
      { text: 'a' },
      { toolUse: { name: 't', input: {} } },
    ]);
    expect(
      parseScriptFile('{"turns":[{"toolUses":[{"name":"x","input":{"a":1}}],"thinking":"hm"}],"finalText":"bye"}'),
    ).toEqual({
      script: [{ toolUses: [{ name: 'x', input: { a: 1 } }], thinking: 'hm' }],
      finalText: 'bye',
    });
  });

  it('names the problem in a bad file', () => {
    expect(() => parseScriptFile('{', 'my.json')).toThrow(/my\.json: not valid JSON/);
    expect(() => parseScriptFile('[{"txt":"a"}]', 'my.json')).toThrow(/my\.json: not a valid mock script/);
    expect(() => parseScriptFile('[{}]')).toThrow(/needs "text", "toolUse"/);
  });
});

describe('server lifecycle', () => {
  let mock: MockServer | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  it('refuses non-loopback hosts', async () => {
    await expect(startMock({ host: '0.0.0.0' })).rejects.toThrow(/only loopback is allowed/);
    await expect(startMock({ host: '192.168.1.2' })).rejects.toThrow(/refusing to listen/);
  });

  it('listens on ::1 when asked', async (ctx) => {
    try {
      mock = await startMock({ host: '::1' });
    } catch (err) {
      // Reported as skipped, with the reason, never as a pass that checked nothing.
      if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL')
        ctx.skip('no IPv6 loopback (::1) on this machine: EADDRNOTAVAIL');
      throw err;
    }
    expect(mock.url).toBe(`http://[::1]:${mock.port}`);
    expect((await fetch(`${mock.url}/`)).status).toBe(200);
  });

  it('close() destroys open streams promptly and resolves', async () => {
    mock = await startMock({ pacingMs: 5000 });
    const client = new Anthropic({ apiKey: 'k', baseURL: mock.url, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    const outcome = stream.finalMessage().then(
      () => 'resolved',
      () => 'rejected',
    );
    await new Promise<void>((resolve) => stream.on('connect', () => resolve()));
    const t0 = Date.now();
    await mock.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await outcome).toBe('rejected');
    await mock.close(); // idempotent
  });

  it('counts model requests for faults from 1 again after reset()', async () => {
    mock = await startMock({ faults: [{ kind: 'status', status: 500, on: [1] }] });
    const post = () =>
      fetch(`${mock!.url}/v1/messages`, { method: 'POST', body: '{"model":"m","max_tokens":1,"messages":[]}' });
    expect((await post()).status).toBe(500);
    expect((await post()).status).toBe(200);
    mock.reset();
    expect((await post()).status).toBe(500);
    expect(mock.received).toHaveLength(1);
    expect(mock.received[0]!.seq).toBe(1);
  });
});

describe('bounded memory', () => {
  it('keeps only the latest maxReceived requests', async () => {
    const mock = await startMock({ maxReceived: 2 });
    try {
      for (let i = 0; i < 4; i++) await fetch(`${mock.url}/`);
      expect(mock.received.map((r) => r.seq)).toEqual([3, 4]);
    } finally {
      await mock.close();
    }
  });
});
