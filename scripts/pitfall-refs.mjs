#!/usr/bin/env node
// Rewrites references to the old out-of-tree PITFALLS file into the docs/ pages that now hold that knowledge:
//
//   PITFALLS #7, #8            → docs/sdk-layer.md#signed-bodies, docs/sdk-layer.md#model-in-the-url
//   PITFALLS N3–N4             → docs/claude-code.md#raw-body-dump, docs/claude-code.md#query-source
//   PITFALLS, rewriting #3     → docs/rewrite-validity.md#thinking-signatures
//   PITFALLS "Retries"         → docs/claude-code.md#retries
//
// over every file git tracks. Idempotent: a rewritten reference no longer says PITFALLS, so a second run changes
// nothing. A reference it cannot place is left as it is and listed; the exit code is then 1.
//
// Usage: node scripts/pitfall-refs.mjs [--check] [--skip <path>]...
//   --check        write nothing; exit 1 if a file would change or a reference is left
//   --skip <path>  leave this file alone (repeatable)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

const CAPTURE = {
  1: 'sdk-layer.md#sdk-return-types',
  2: 'sdk-layer.md#sdk-stream-object',
  3: 'fetch-tap.md#no-tee-or-clone',
  4: 'fetch-tap.md#cancelled-streams-end-the-record',
  5: 'fetch-tap.md#transformstream-cancel',
  6: 'fetch-tap.md#rebuilt-response',
  7: 'sdk-layer.md#signed-bodies',
  8: 'sdk-layer.md#model-in-the-url',
  9: 'fetch-tap.md#content-length',
  10: 'fetch-tap.md#wrap-fetch-not-the-dispatcher',
  11: 'fetch-tap.md#compressed-bodies',
  12: 'sdk-layer.md#bundled-sdks',
  13: 'preload.md#bun-binaries',
  14: 'module-hooks.md#allow-list-sdk-files',
  15: 'module-hooks.md#subpath-imports',
  16: 'module-hooks.md#async-hook-cost',
  17: 'module-hooks.md#module-register-deprecation',
  18: 'preload.md#workers-and-children',
  19: 'preload.md#never-stdout',
  20: 'fetch-tap.md#no-msw-interceptors',
  21: 'sdk-layer.md#old-sdks-use-http',
  22: 'fetch-tap.md#unknown-sse-events',
  23: 'sdk-layer.md#one-record-per-attempt',
  24: 'module-hooks.md#opentelemetry-node-versions',
};
const REWRITING = {
  1: 'rewrite-validity.md#tool-pairing',
  2: 'rewrite-validity.md#roles',
  3: 'rewrite-validity.md#thinking-signatures',
  4: 'rewrite-validity.md#max-tokens-above-budget',
  5: 'rewrite-validity.md#cache-breakpoints',
  6: 'rewrite-validity.md#trimming-costs-cache',
  7: 'rewrite-validity.md#context-management',
};
const NATIVE = {
  1: 'claude-code.md#bun-preload',
  2: 'claude-code.md#preload-fetch-timing',
  3: 'claude-code.md#raw-body-dump',
  4: 'claude-code.md#query-source',
  5: 'claude-code.md#native-system-prompt',
  6: 'claude-code.md#agent-id-headers',
  7: 'claude-code.md#hidden-classifier-calls',
};
const SECTIONS = {
  'Rewriting must keep a request valid': 'rewrite-validity.md',
  "Claude Code's mechanisms": 'claude-code.md#mechanisms',
  Retries: 'claude-code.md#retries',
  'Running Claude Code offline in tests': 'claude-code.md#offline-tests',
};

/** Every docs page and anchor a reference may become (a test checks each exists). */
export const TARGETS = [
  ...new Set([
    ...Object.values(CAPTURE),
    ...Object.values(REWRITING),
    ...Object.values(NATIVE),
    ...Object.values(SECTIONS),
  ]),
];

// One item of a reference list; a quoted section title may wrap onto the next comment line.
const ITEM = String.raw`(?:rewriting #\d+|#\d+|N\d+(?:[–-]N\d+)?|"[^"\n]+(?:\n[\s*/]*[^"\n]+)?")`;
const REFERENCE = new RegExp(String.raw`PITFALLS(?:,?\s+(${ITEM}(?:,\s*${ITEM})*))?`, 'g');

/** The docs pages one item points at, or undefined when it names nothing known. */
function pagesOf(item) {
  const rewriting = /^rewriting #(\d+)$/.exec(item);
  if (rewriting) return [REWRITING[rewriting[1]]];
  const capture = /^#(\d+)$/.exec(item);
  if (capture) return [CAPTURE[capture[1]]];
  const native = /^N(\d+)(?:[–-]N(\d+))?$/.exec(item);
  if (native) {
    const pages = [];
    for (let n = Number(native[1]); n <= Number(native[2] ?? native[1]); n++) pages.push(NATIVE[n]);
    return pages;
  }
  if (item.startsWith('"')) return [SECTIONS[item.slice(1, -1).replace(/\s*\n[\s*/]*/g, ' ')]];
  return [undefined];
}

/** The text with every reference it can place rewritten, and the ones it cannot. */
export function rewrite(text) {
  const left = [];
  const out = text.replace(REFERENCE, (whole, list, offset) => {
    const items = list ? list.split(/,\s*(?=rewriting #|#|N\d|")/) : [];
    const pages = items.flatMap(pagesOf);
    if (pages.length === 0 || pages.includes(undefined)) {
      left.push({ line: text.slice(0, offset).split('\n').length, text: whole });
      return whole;
    }
    return [...new Set(pages)].map((p) => `docs/${p}`).join(', ');
  });
  return { text: out, left };
}

function main(argv) {
  const check = argv.includes('--check');
  const skip = new Set(argv.flatMap((a, i) => (argv[i - 1] === '--skip' ? [a] : [])));
  // This script and its test hold references on purpose.
  skip.add('scripts/pitfall-refs.mjs').add('tests/unit/architecture/pitfall-refs.test.ts');
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  let changed = 0;
  let unplaced = 0;
  for (const file of files) {
    if (skip.has(file)) continue;
    let text;
    try {
      text = readFileSync(join(ROOT, file), 'utf8');
    } catch {
      continue; // listed by git but absent from the work tree
    }
    if (!text.includes('PITFALLS')) continue;
    const result = rewrite(text);
    for (const l of result.left) process.stderr.write(`${file}:${l.line}: cannot place "${l.text}"\n`);
    unplaced += result.left.length;
    if (result.text === text) continue;
    changed++;
    process.stdout.write(`${check ? 'would rewrite' : 'rewrote'} ${file}\n`);
    if (!check) writeFileSync(join(ROOT, file), result.text);
  }
  process.stdout.write(`${changed} file(s) ${check ? 'to rewrite' : 'rewritten'}, ${unplaced} reference(s) left\n`);
  return unplaced > 0 || (check && changed > 0) ? 1 : 0;
}

if (process.argv[1] === import.meta.filename) process.exitCode = main(process.argv.slice(2));
