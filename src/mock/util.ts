/** Small helpers shared by the mock's responders: ids, splitting, sleeping, token estimates. */
import { randomBytes } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomBase62(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}

/** Ids shaped like the real APIs' (`msg_01…`, `toolu_01…`, `chatcmpl-…`, `call_…`, `resp_…`). */
export const ids = {
  message: () => `msg_01${randomBase62(22)}`,
  toolUse: () => `toolu_01${randomBase62(22)}`,
  anthropicRequest: () => `req_01${randomBase62(22)}`,
  chat: () => `chatcmpl-${randomBase62(29)}`,
  call: () => `call_${randomBase62(24)}`,
  response: () => `resp_${randomBytes(24).toString('hex')}`,
  outputMessage: () => `msg_${randomBytes(24).toString('hex')}`,
  functionCall: () => `fc_${randomBytes(24).toString('hex')}`,
  openaiRequest: () => `req_${randomBytes(16).toString('hex')}`,
  signature: () => randomBytes(96).toString('base64'),
};

/** Splits `text` into at most `n` non-empty consecutive pieces (at least one piece, possibly ''). */
export function splitInto(text: string, n: number): string[] {
  const chars = Array.from(text); // do not split surrogate pairs
  const parts = Math.max(1, Math.min(Math.floor(n), chars.length));
  if (chars.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < parts; i++) {
    const start = Math.floor((i * chars.length) / parts);
    const end = Math.floor(((i + 1) * chars.length) / parts);
    out.push(chars.slice(start, end).join(''));
  }
  return out;
}

/** The rough token estimate the mock reports: a quarter of the byte/char count, at least 1. */
export function estimateTokens(size: number): number {
  return Math.max(1, Math.ceil(size / 4));
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export { isRecord } from '../exchange/json.js';

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
