import { readFileSync } from "node:fs";

/**
 * CPU seconds (user + system) used by this process's finished children and the descendants they
 * waited for (Linux `/proc/self/stat`, fields 16-17); null elsewhere. On a busy machine CPU time
 * stays comparable where wall time does not.
 */
export function childrenCpuSeconds(): number | null {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[13]) + Number(fields[14]);
    // USER_HZ is 100 on every Linux the project runs on.
    return Number.isFinite(ticks) ? ticks / 100 : null;
  } catch {
    return null;
  }
}
