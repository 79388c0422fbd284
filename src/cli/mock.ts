/** `agenttap mock`: runs the mock model API on loopback until SIGINT/SIGTERM; the URL alone goes to stdout. */
import type { Command } from 'commander';
import { AgentTapError } from '../errors.js';
import { startMock } from '../mock/index.js';
import { loadScriptFile } from '../mock/script-file.js';
import type { MockOptions } from '../mock/types.js';

interface MockCommandOptions {
  port: string;
  host: string;
  pacing: string;
  script?: string;
  strict?: boolean;
  gzip?: boolean;
}

function nonNegativeInteger(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > max) {
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `agenttap mock: ${flag} must be an integer from 0 to ${max}, got "${value}"`,
    );
  }
  return n;
}

export function registerMockCommand(program: Command): void {
  program
    .command('mock')
    .description('run the mock model API (Anthropic Messages, OpenAI Chat Completions and Responses) on loopback')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <host>', 'loopback address: 127.0.0.1 or ::1', '127.0.0.1')
    .option('--pacing <ms>', 'delay between streamed events, in milliseconds', '0')
    .option('--script <file.json>', 'scripted turns: an array of {text} | {toolUse:{name,input}} | {toolUses:[...]}')
    .option('--strict', 'reject invalid Anthropic requests with 400, as the real API does')
    .option('--gzip', 'gzip responses for clients that accept it')
    .action(async (opts: MockCommandOptions) => {
      const options: MockOptions = {
        host: opts.host,
        port: nonNegativeInteger(opts.port, '--port', 65535),
        pacingMs: nonNegativeInteger(opts.pacing, '--pacing'),
        strict: opts.strict === true,
        gzip: opts.gzip === true,
        // A long-running mock must not hold every request body it ever saw.
        maxReceived: 100,
      };
      if (opts.script !== undefined) {
        try {
          const file = loadScriptFile(opts.script);
          options.script = file.script;
          if (file.finalText !== undefined) options.finalText = file.finalText;
        } catch (err) {
          throw new AgentTapError('AGENTTAP_USAGE', `agenttap mock: ${(err as Error).message}`);
        }
      }
      let mock: Awaited<ReturnType<typeof startMock>>;
      try {
        mock = await startMock(options);
      } catch (err) {
        throw new AgentTapError('AGENTTAP_USAGE', (err as Error).message);
      }
      process.stderr.write(`agenttap mock listening on ${mock.url}\n`);
      process.stdout.write(`${mock.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await mock.close();
    });
}
