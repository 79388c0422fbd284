export function goRegexToJs(pattern: string): { source: string; flags: string };
