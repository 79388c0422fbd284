export const TARGETS: string[];
export function rewrite(text: string): { text: string; left: { line: number; text: string }[] };
