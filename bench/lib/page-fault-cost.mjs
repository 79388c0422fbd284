// What a first touch of memory costs on this machine, per 4 KB page: filling a fresh buffer (each page faulted in,
// mapped and zeroed by the kernel on its first write) minus filling it again (the pages mapped already). The buffer is
// larger than glibc's largest mmap threshold (32 MiB), so each one is fresh memory. Median of a few tries, in µs.
import { median } from './measure.mjs';

const MiB = 1 << 20;
const PAGE = 4096;

export function pageFaultCostUs({ mib = 64, tries = 5 } = {}) {
  const costs = [];
  for (let i = 0; i < tries; i++) {
    const buffer = Buffer.allocUnsafeSlow(mib * MiB);
    let t0 = process.hrtime.bigint();
    buffer.fill(1);
    const first = Number(process.hrtime.bigint() - t0);
    t0 = process.hrtime.bigint();
    buffer.fill(2);
    const again = Number(process.hrtime.bigint() - t0);
    costs.push((first - again) / 1000 / ((mib * MiB) / PAGE));
  }
  return median(costs);
}
