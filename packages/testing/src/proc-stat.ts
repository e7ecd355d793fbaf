/**
 * What Linux's /proc/<pid>/stat and /proc/<pid>/status say of a process, parsed from their text; the
 * callers read the files (synchronously or not, as their measurement allows).
 */

/**
 * The fields of /proc/<pid>/stat after the command name: state(0) ppid(1) pgrp(2) … utime(11)
 * stime(12). The command name (field 2) may hold spaces and parentheses, so they are read after the
 * last ")".
 */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** CPU time (user + system) in ms from /proc/<pid>/stat; USER_HZ is 100 on Linux whatever the kernel's tick rate. 0 for no text. */
export function cpuMsOfStat(stat: string): number {
  const fields = statFields(stat);
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

/** Resident memory (VmRSS) in kB from /proc/<pid>/status; undefined when it has none (a zombie, or no text). */
export function rssKbOfStatus(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
