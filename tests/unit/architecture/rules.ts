/**
 * The import rules of DESIGN.md ("Types flow one way"), as data for ./checker.ts, and the violations the tree
 * still has, each with why it is there and what removes it. Shrink ALLOWED as those land; never grow it
 * without an issue that removes the entry.
 */
import type { Allowance, Rule } from './checker.js';

/** Where the checked modules live (the report moves from src/reports/ to the top-level reports/: issue 12). */
export const SCANNED = ['src', 'reports', 'loader', 'bun'];

/** The agent's start-up path: the --import and Bun preload entries and what they load before the agent runs. */
export const STARTUP_ROOTS = ['loader', 'bun', 'src/loader/index.ts', 'src/bun/index.ts'];

const REPORT = ['src/reports/', 'reports/'];
const BODY_READER = [
  'src/exchange/body.ts',
  'src/exchange/reminders.ts',
  'src/exchange/cache-markers.ts',
  'src/exchange/headers.ts',
  'src/exchange/json.ts',
  'src/exchange/hash.ts',
];

export const RULES: Rule[] = [
  {
    // The rules runtime runs inside the agent: it must not load a report module.
    id: 'mechanisms-and-policy-never-load-reports',
    scope: 'transitive',
    from: ['src/mechanisms/', 'src/policy/', 'src/exchange/'],
    forbid: REPORT,
  },
  {
    // The report depends on the log event types, src/exchange's body reader, and what names and prices a call:
    // src/mechanisms (signatures as data, the classifier: shared with the rules) and src/pricing. Also allowed:
    // the error class and the private-mode mkdir (node: imports only), and `diff` (a pure text diff). That
    // mechanisms and pricing load no tap, policy or writer is the next rule's, transitively.
    id: 'reports-import-only-log-and-exchange',
    scope: 'direct',
    from: REPORT,
    only: [
      ...REPORT,
      'src/log/',
      'src/exchange/',
      'src/mechanisms/',
      'src/pricing/',
      'src/errors.ts',
      'src/fs/',
      'diff',
    ],
  },
  {
    // `agenttap report` reads a log without loading the tap, the loader or the writer.
    id: 'reports-read-a-log-without-the-tap',
    scope: 'transitive',
    from: [...REPORT, 'src/log/read.ts'],
    forbid: [
      'src/tap/',
      'src/loader/',
      'src/bun/',
      'src/proxy/',
      'src/capture/',
      'src/cli/',
      'src/policy/',
      'pino',
      '@secretlint/',
    ],
  },
  {
    // The one reader of provider bodies (issue 12) is shared by taps, policy, mechanisms and reports: it stands
    // on its own (no codec, tap or report module), so each of them can load it alone.
    id: 'body-reader-imports-only-itself',
    scope: 'direct',
    from: BODY_READER,
    only: [...BODY_READER, 'src/exchange/types.ts', 'node:'],
  },
  {
    // zod (~50 ms on Node 20), pino and the redactor load with the capture worker at the first model call;
    // the OpenTelemetry SDK and exporters only when OTLP export is on (issue 14).
    id: 'startup-path-loads-no-zod-pino-redactor-report-or-cli',
    scope: 'transitive',
    from: STARTUP_ROOTS,
    forbid: ['zod', 'pino', '@secretlint/', 'src/policy/redact/', ...REPORT, 'src/cli/', '@opentelemetry/'],
  },
  {
    // OpenTelemetry (SDK, exporters) loads in the live export's worker only (src/export/worker.ts): never at the
    // agent's start, and not on the agent's thread when the log writer starts the export (issue 14).
    id: 'agent-thread-never-loads-opentelemetry',
    scope: 'transitive',
    from: [...STARTUP_ROOTS, 'src/capture/', 'src/export/live.ts'],
    forbid: ['@opentelemetry/'],
  },
  {
    // Issue 13: the log writer the agent's thread loads at the first model call builds no redactor and loads
    // neither pino nor secretlint: they load in the capture worker (writer-parts.ts only where there is none).
    id: 'agent-thread-writer-loads-no-pino-or-redactor',
    scope: 'transitive',
    from: ['src/capture/writer.ts'],
    forbid: ['pino', '@secretlint/', 'src/policy/redact/index.ts', 'src/log/sink.ts', 'src/capture/writer-parts.ts'],
  },
  {
    // The proxy and the loader are peers assembled by src/capture/, not one on top of the other.
    id: 'proxy-never-loads-the-loader',
    scope: 'transitive',
    from: ['src/proxy/'],
    forbid: ['src/loader/'],
  },
];

export const ALLOWED: Allowance[] = [
  {
    rule: 'startup-path-loads-no-zod-pino-redactor-report-or-cli',
    from: 'src/bun/index.ts',
    to: 'src/capture/writer.ts',
    reason:
      'the Bun preload is one bundle with no writer file beside it, so it imports the writer (pino, redactor) ' +
      'statically and evaluates it before native Claude Code starts (commit 77efd37)',
    removedBy: 'issue 12: src/capture/ assembles the capture; the bundle keeps the writer behind import()',
  },
  {
    rule: 'startup-path-loads-no-zod-pino-redactor-report-or-cli',
    from: 'src/bun/index.ts',
    to: 'src/capture/writer-parts.ts',
    reason:
      'the same bundle hands the writer its heavy parts (pino, redactor) statically: nothing beside it to require() ' +
      'on demand (issue 13: the Node loader loads them only where there is no capture worker)',
    removedBy: 'issue 12: src/capture/ assembles the capture; the bundle keeps the writer behind import()',
  },
];
