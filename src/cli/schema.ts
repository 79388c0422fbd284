/** `agenttap schema [log|config]`: the published JSON Schemas, generated from the zod schemas. */
import type { Command } from 'commander';
import { z } from 'zod';
import { ConfigSchema } from '../config/schema.js';
import { LogEvent, LOG_VERSION } from '../log/events.js';
import { RulesFile } from '../policy/rewrite/rules-schema.js';

export const SCHEMAS = {
  log: () => ({
    $id: `https://agenttap.dev/schemas/log-event.v${LOG_VERSION}.json`,
    title: `agenttap log event (v${LOG_VERSION})`,
    ...z.toJSONSchema(LogEvent, { io: 'output', unrepresentable: 'any' }),
  }),
  rules: () => ({
    $id: 'https://agenttap.dev/schemas/rules.json',
    title: 'agenttap rewrite rules',
    ...z.toJSONSchema(RulesFile, { io: 'input', unrepresentable: 'any' }),
  }),
  config: () => ({
    $id: 'https://agenttap.dev/schemas/config.json',
    title: 'agenttap config file',
    ...z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }),
  }),
} as const;

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the session log events, the rules file or the config file')
    .argument('[which]', 'log | rules | config', 'log')
    .action((which: string) => {
      const make = SCHEMAS[which as keyof typeof SCHEMAS];
      if (!make)
        program.error(`agenttap schema: unknown schema "${which}". Use "log", "rules" or "config".`, { exitCode: 2 });
      process.stdout.write(`${JSON.stringify(make(), null, 2)}\n`);
    });
}
