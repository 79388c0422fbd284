/**
 * What crosses between the agent's thread (src/export/live.ts) and the export worker (src/export/worker.ts).
 * The worker needs almost nothing from the agent: the log file to follow and where to send. Counts come back in
 * shared Int32 slots, readable at exit without a turn of the event loop (the worker may be hung in an export).
 */
import type { MessagePort } from 'node:worker_threads';
import type { OtlpSettings } from './settings.js';

export interface ExportWorkerData {
  settings: OtlpSettings;
  /** The `<pid>.ndjson` this process writes: the worker follows it from its start. */
  file: string;
  session: string;
  /** Int32 slots, below. */
  state: SharedArrayBuffer;
  /** For FromExportWorker notices, read by the agent's thread even at exit (receiveMessageOnPort). */
  notices: MessagePort;
  /** Spans held at most (queued or in flight); past it new spans are dropped and counted. */
  maxQueue: number;
}

/** Agent → worker: the log is complete up to `session.end` (not yet written): read the rest, send it, report. */
export type ToExportWorker = { t: 'end'; waitMs: number };

/** Worker → agent: a line for stderr (the first failure of the collector, one line per kind). */
export type FromExportWorker = { t: 'notify'; message: string };

/** Spans the collector accepted. */
export const EXPORTED = 0;
/** Spans given up: the queue was full, the collector refused them or did not answer in time. */
export const DROPPED = 1;
/** Spans built and not yet settled (queued or in flight): dropped if the process ends now. */
export const PENDING = 2;
/** 1 once the worker has settled everything after `end`. */
export const ENDED = 3;
/** Inference spans built (one per exchange): the exchanges the worker had not reached at exit count as dropped. */
export const MAPPED_EXCHANGES = 4;
export const STATE_SLOTS = 5;
