/**
 * Shipped default prices, USD per million tokens. One data file: the report (issue 4) and the rewrite
 * accounting (issue 5) read it through `src/pricing/index.ts`; users override or extend it with
 * `--prices <file.json>` (same shape). Patterns are matched against the model id, first match wins, so
 * specific ids come before their family.
 *
 * Sources: anthropic.com/pricing and openai.com/api/pricing as published; `as_of` says when they were copied.
 * Anthropic cache writes are 1.25× input (5-minute TTL), cache reads 0.1× input; OpenAI has no cache-write
 * price (writes are free) and bills cached input at its own rate.
 */
import type { PriceTableFile } from './table.js';

export const DEFAULT_PRICES: PriceTableFile = {
  as_of: '2026-11-01',
  currency: 'USD',
  models: [
    {
      match: '^claude-(3-)?opus-4-(5|6|7)|^claude-opus-(5|6)',
      input: 5,
      output: 25,
      cache_write: 6.25,
      cache_read: 0.5,
    },
    { match: '^claude-(3-)?opus', input: 15, output: 75, cache_write: 18.75, cache_read: 1.5 },
    { match: '^claude-(3-5-|3-7-)?sonnet|^claude-sonnet', input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 },
    { match: '^claude-3-5-haiku|^claude-3-haiku', input: 0.8, output: 4, cache_write: 1, cache_read: 0.08 },
    { match: '^claude-haiku', input: 1, output: 5, cache_write: 1.25, cache_read: 0.1 },
    { match: '^gpt-4o-mini', input: 0.15, output: 0.6, cache_write: 0, cache_read: 0.075 },
    { match: '^gpt-4o', input: 2.5, output: 10, cache_write: 0, cache_read: 1.25 },
    { match: '^gpt-4\\.1-nano', input: 0.1, output: 0.4, cache_write: 0, cache_read: 0.025 },
    { match: '^gpt-4\\.1-mini', input: 0.4, output: 1.6, cache_write: 0, cache_read: 0.1 },
    { match: '^gpt-4\\.1', input: 2, output: 8, cache_write: 0, cache_read: 0.5 },
    { match: '^gpt-5(\\.\\d+)?-nano', input: 0.05, output: 0.4, cache_write: 0, cache_read: 0.005 },
    { match: '^gpt-5(\\.\\d+)?-mini', input: 0.25, output: 2, cache_write: 0, cache_read: 0.025 },
    { match: '^gpt-5', input: 1.25, output: 10, cache_write: 0, cache_read: 0.125 },
    { match: '^o4-mini|^o3-mini', input: 1.1, output: 4.4, cache_write: 0, cache_read: 0.275 },
    { match: '^o3', input: 2, output: 8, cache_write: 0, cache_read: 0.5 },
  ],
};
