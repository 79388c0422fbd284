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

const ModelPrice = z.object({
  /** A regular expression matched against the model id (anchored by the pattern itself). */
  match: z.string(),
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cache_write: z.number().nonnegative(),
  cache_read: z.number().nonnegative(),
});
export const PriceTableFile = z.object({
  as_of: z.string().optional(),
  currency: z.string().optional(),
  models: z.array(ModelPrice),
});
export type PriceTableFile = z.infer<typeof PriceTableFile>;
export type ModelPrice = z.infer<typeof ModelPrice>;

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export class PriceTable {
  private readonly compiled: { re: RegExp; price: ModelPrice }[];
  constructor(readonly file: PriceTableFile) {
    this.compiled = file.models.map((price) => ({ re: new RegExp(price.match), price }));
  }

  /** The price row for a model id, or undefined when no row matches (cost then stays unknown, never 0). */
  priceFor(model: string | undefined): ModelPrice | undefined {
    if (!model) return undefined;
    return this.compiled.find((row) => row.re.test(model))?.price;
  }

  /** USD for these tokens on this model; undefined when the model has no price. */
  cost(model: string | undefined, tokens: TokenCounts): number | undefined {
    const p = this.priceFor(model);
    if (!p) return undefined;
    return (
      (tokens.input * p.input +
        tokens.output * p.output +
        tokens.cacheRead * p.cache_read +
        tokens.cacheWrite * p.cache_write) /
      1e6
    );
  }
}

/** The shipped table, with a user file's rows put first (so they override) when given. */
export function loadPriceTable(file?: string): PriceTable {
  if (!file) return new PriceTable(DEFAULT_PRICES);
  let parsed: PriceTableFile;
  try {
    parsed = PriceTableFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new AgentTapError(
      'AGENTTAP_CONFIG_INVALID',
      `${file}: not a price table (${(err as Error).message.split('\n')[0]}). Fix: {"models": [{"match": "^my-model", "input": 3, "output": 15, "cache_write": 3.75, "cache_read": 0.3}]} (USD per million tokens).`,
    );
  }
  return new PriceTable({ ...DEFAULT_PRICES, ...parsed, models: [...parsed.models, ...DEFAULT_PRICES.models] });
}

export { DEFAULT_PRICES };
