// Types for bench/report-generate.mjs (used by tests/browser).
export function generateSession(
  dir: string,
  options?: {
    turns?: number;
    toolBytes?: number;
    targetBytes?: number;
    subEvery?: number;
    compactEvery?: number;
    pid?: number;
  },
): { file: string; bytes: number; exchanges: number; largestLine: number };
