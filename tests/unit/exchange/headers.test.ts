import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { flattenHeaders } from '../../../src/exchange/headers.js';

describe('flattenHeaders: one lower-case name → one string, whatever the layer', () => {
  it('reads WHATWG Headers (fetch request and response)', () => {
    const h = new Headers({ 'X-Api-Key': 'k', 'Anthropic-Version': '2023-06-01' });
    h.append('accept', 'a');
    h.append('accept', 'b');
    expect(flattenHeaders(h)).toEqual({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01', accept: 'a, b' });
  });

  it('reads a node-fetch style headers object by its forEach', () => {
    const h = {
      forEach: (fn: (v: string, k: string) => void) => {
        for (const [k, v] of [['Content-Type', 'application/json']]) fn(v!, k!);
      },
    };
    expect(flattenHeaders(h)).toEqual({ 'content-type': 'application/json' });
  });

  it("reads node:http's getHeaders() (null prototype, numbers, arrays) as on the wire", () => {
    const req = new http.OutgoingMessage();
    req.setHeader('Content-Length', 12);
    req.setHeader('X-Multi', ['one', 'two']);
    expect(flattenHeaders(req.getHeaders())).toEqual({ 'content-length': '12', 'x-multi': 'one, two' });
  });

  it("skips an SDK call option's null (its way to remove a header) and undefined", () => {
    expect(flattenHeaders({ 'Anthropic-Beta': 'x', 'X-Stainless-Retry-Count': null, 'X-Gone': undefined })).toEqual({
      'anthropic-beta': 'x',
    });
  });

  it('reads nothing from what is not headers', () => {
    for (const v of [undefined, null, 'x', 3, [['a', 'b']]]) expect(flattenHeaders(v)).toEqual({});
  });
});
