/**
 * `agenttap import claude-otel <dir> [--out <dir>] [--session <id>] [--config <file>]`: a raw-body folder native
 * Claude Code wrote on its own (`OTEL_LOG_RAW_API_BODIES=file:<dir>`) becomes a redacted agenttap session with
 * Claude Code's labels (src/import/claude-otel.ts). One line on stderr says where it went; a bad folder is one
 * line naming the file, the line and the fix, and the sysexits status (66 no input, 65 bad data, 78 bad config).
 */
import type { Command } from 'commander';
import { AgentTapError } from '../errors.js';
import { ImportInputError } from '../import/claude-otel-folder.js';
import { type ImportResult, importClaudeOtel } from '../import/claude-otel.js';
import { stderrLine } from '../stderr.js';
import { flagsToEnv } from './env-flags.js';

interface ImportOptions {
  out?: string;
  session?: string;
  config?: string;
}

export function registerImportCommand(program: Command): void {
  const command = program.command('import').description('make an agenttap session from files an agent wrote itself');
  command
    .command('claude-otel')
    .description(
      "a folder of Claude Code's raw API bodies (OTEL_LOG_RAW_API_BODIES=file:<dir>), redacted, with its own labels",
    )
    .argument('<dir>', 'the folder Claude Code wrote (index.jsonl and the request/response files)')
    .option('--out <dir>', 'root folder of sessions (default: .agenttap/sessions)')
    .option('--session <id>', 'session id (default: a timestamp and a random suffix)')
    .option('--config <file>', 'config file, for its redaction settings (default: ./agenttap.config.json when present)')
    .action(async (dir: string, options: ImportOptions) => {
      const { overrides, flags } = flagsToEnv({ dir: options.out, session: options.session, config: options.config });
      if (flags.AGENTTAP_DIR) flags.AGENTTAP_DIR = '--out';
      // Nothing here runs inside an agent: redaction on this thread, no capture worker to wait for at exit.
      process.env.AGENTTAP_REDACT_WORKER = '0';
      let result: ImportResult;
      try {
        result = await importClaudeOtel({ dir, env: { ...process.env, ...overrides }, flags, notify: stderrLine });
      } catch (err) {
        if (err instanceof ImportInputError) {
          stderrLine(`agenttap import: ${err.message}`);
          process.exit(err.exitCode);
        }
        if (err instanceof AgentTapError && err.code === 'AGENTTAP_CONFIG_INVALID') {
          stderrLine(err.message);
          process.exit(78);
        }
        throw err;
      }
      for (const warning of result.warnings) stderrLine(`agenttap import: ${warning}`);
      if (result.dropped > 0)
        stderrLine(`agenttap import: ${result.dropped} records could not be redacted and were left out`);
      const calls = result.exchanges === 1 ? '1 model call' : `${result.exchanges} model calls`;
      stderrLine(
        `agenttap: imported ${calls} (${result.labelled} labelled by Claude Code) into session ${result.sessionDir} — read it with: agenttap report ${result.sessionDir}`,
      );
    });
}
