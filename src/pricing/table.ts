/**
 * A price table and what a call cost (see index.ts). Apart from the file loader (zod) so that a report without
 * `--prices` never loads zod: its start is most of a small session's report.
 */
import { DEFAULT_PRICES } from './defaults.js';

export interface ModelPrice {
  /** A regular expression matched against the model id (anchored by the pattern itself). */
  match: string;
  input: number;
  output: number;
  cache_write: number;
  cache_read: number;
}

export interface PriceTableFile {
  as_of?: string | undefined;
  currency?: string | undefined;
  models: ModelPrice[];
}

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

/** The shipped table. */
export const defaultPriceTable = (): PriceTable => new PriceTable(DEFAULT_PRICES);
