// A fixture's measured part profiled when $CPU_PROFILE names a file (V8's sampling profiler, $CPU_PROFILE_US µs
// between samples, default 100): `const stop = await profileFromEnv(); …measured…; await stop();` writes it there
// for bench/lib/cpu-share.mjs. Without $CPU_PROFILE both are no-ops.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export async function profileFromEnv() {
  const file = process.env.CPU_PROFILE;
  if (!file) return async () => {};
  const inspector = new Session();
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: Number(process.env.CPU_PROFILE_US ?? 100) });
  await inspector.post('Profiler.start');
  return async () => {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    inspector.disconnect();
  };
}
