/** The http tap installs once and uninstalls symmetrically: request and get of both modules, ESM facade too. */
import http from 'node:http';
import https from 'node:https';
import * as httpEsm from 'node:http';
import { describe, expect, it } from 'vitest';
import { installHttpTap } from '../../../src/tap/http.js';
import type { TapContext } from '../../../src/tap/context.js';

const ctx: TapContext = {
  recorder: { request() {}, response() {}, end() {}, rewrite() {} },
  matchEndpoint: () => null,
  warn: () => {},
  maxBodyBytes: 1024,
  nextExchangeId: () => 'x',
  open: new Set(),
};

describe('http tap install', () => {
  it('wraps request and get of http and https once, and restores each on uninstall', () => {
    const before = [http.request, http.get, https.request, https.get];
    const uninstall = installHttpTap(ctx);
    try {
      const during = [http.request, http.get, https.request, https.get];
      during.forEach((fn, i) => expect(fn).not.toBe(before[i]));
      expect(httpEsm.get).toBe(http.get); // the ESM facade sees the wrapper
      installHttpTap(ctx)(); // a second install is a no-op, and so is its uninstall
      expect([http.request, http.get, https.request, https.get]).toEqual(during);
    } finally {
      uninstall();
    }
    expect([http.request, http.get, https.request, https.get]).toEqual(before);
    expect(httpEsm.get).toBe(before[1]);
  });
});
