// Each benchmark script owns one section of BENCHMARKS.md, between `<!-- bench:NAME -->` markers, and
// replaces only that section, so scripts can run on their own and in any order.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const HEADER = `# Benchmarks

Written by the scripts in \`bench/\` (\`npm run bench\` runs them all); do not edit by hand. Every figure is a
ratio against a baseline measured in the same run.
`;

export function writeSection(file, name, markdown) {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const at = doc.indexOf(start);
  const next =
    at >= 0
      ? doc.slice(0, at) + block + doc.slice(doc.indexOf(end, at) + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
