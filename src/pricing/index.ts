/**
 * Model prices and what a call cost. Shared by the report (issue 4) and rewrite accounting (issue 5):
 * both price a `Usage` the same way, so a saving and a session total are in the same units.
 *
 * Input tokens here are the uncached ones (Anthropic's `input_tokens`; for OpenAI the caller passes
 * prompt tokens minus cached ones): each token class is billed at its own rate.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AgentTapError } from '../errors.js';
import { DEFAULT_PRICES } from './defaults.js';
import { defaultPriceTable, PriceTable, type PriceTableFile } from './table.js';

export { PriceTable, type ModelPrice, type PriceTableFile, type TokenCounts } from './table.js';

const ModelPrice = z.object({
  /** A regular expression matched against the model id (anchored by the pattern itself). */
  match: z.string(),
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cache_write: z.number().nonnegative(),
  cache_read: z.number().nonnegative(),
});
const PriceTableFileSchema = z.object({
  as_of: z.string().optional(),
  currency: z.string().optional(),
  models: z.array(ModelPrice),
});
// The file's schema and the table's types (table.ts) are one shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.infer<typeof PriceTableFileSchema>, PriceTableFile> = true;
void sameShape;

/** The shipped table, with a user file's rows put first (so they override) when given. */
export function loadPriceTable(file?: string): PriceTable {
  if (!file) return defaultPriceTable();
  let parsed: PriceTableFile;
  try {
    parsed = PriceTableFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new AgentTapError(
      'AGENTTAP_CONFIG_INVALID',
      `${file}: not a price table (${(err as Error).message.split('\n')[0]}). Fix: {"models": [{"match": "^my-model", "input": 3, "output": 15, "cache_write": 3.75, "cache_read": 0.3}]} (USD per million tokens).`,
    );
  }
  return new PriceTable({ ...DEFAULT_PRICES, ...parsed, models: [...parsed.models, ...DEFAULT_PRICES.models] });
}

export { DEFAULT_PRICES };
