/** The report's number formats, one definition for every renderer (terminal, Markdown, the HTML page's script). */
export const fmtTokens = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
export const fmtMs = (n: number | undefined) =>
  n === undefined ? '–' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;
export const fmtCost = (usd: number, unpriced = 0) =>
  `$${usd.toFixed(usd < 1 ? 4 : 2)}${unpriced ? ` (+${unpriced} unpriced)` : ''}`;
export const fmtBytes = (n: number) =>
  n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
