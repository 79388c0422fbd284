/**
 * The flags `agenttap run` and `agenttap proxy` hand on as `AGENTTAP_*` variables (the agent's Node children read the
 * same variables), with the name the user typed for each: a bad value is reported as `--session`, not as
 * `AGENTTAP_SESSION`, when the user typed `--session`.
 */
import type { FlagNames } from '../config/load.js';

export interface EnvFlagOptions {
  session?: string;
  dir?: string;
  config?: string;
  rules?: string;
  dryRun?: boolean;
  /** `--no-children` (run only): commander's negated flag is `children: false`. */
  children?: boolean;
}

export function flagsToEnv(options: EnvFlagOptions): { overrides: Record<string, string>; flags: FlagNames } {
  const overrides: Record<string, string> = {};
  const flags: FlagNames = {};
  const give = (variable: string, flag: string, value: string | undefined) => {
    if (value === undefined) return;
    overrides[variable] = value;
    flags[variable] = flag;
  };
  give('AGENTTAP_SESSION', '--session', options.session);
  give('AGENTTAP_DIR', '--dir', options.dir);
  give('AGENTTAP_CONFIG', '--config', options.config);
  give('AGENTTAP_RULES', '--rules', options.rules);
  give('AGENTTAP_DRY_RUN', '--dry-run', options.dryRun ? '1' : undefined);
  give('AGENTTAP_CHILDREN', '--no-children', options.children === false ? 'off' : undefined);
  return { overrides, flags };
}
