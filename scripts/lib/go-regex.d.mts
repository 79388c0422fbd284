export function goRegexToJs(
  pattern: string,
  options?: { escapeAwareBoundary?: boolean },
): { source: string; flags: string };
