/**
 * What Linux's /proc tells about a process group the suite started: its resident memory, and the
 * TCP connections it holds to nats-server. A connection the server dropped and the client made again
 * has another local port, whatever the language of the client and whether it logs reconnects.
 */
import { readdir, readFile, readlink } from "node:fs/promises";
import { cpuMsOfStat, rssKbOfStatus, statFields } from "@switchyard/testing";

/** The pids of a process group (the suite starts every process as the leader of its own). */
export async function groupPids(pgid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    if (Number(statFields(stat)[2]) === pgid) pids.push(Number(entry));
  }
  return pids;
}

/** Resident memory (VmRSS) of the whole group in MB; undefined when it is gone. */
export async function rssMb(pgid: number): Promise<number | undefined> {
  let kb = 0;
  let found = false;
  for (const pid of await groupPids(pgid)) {
    const rss = rssKbOfStatus(await readFile(`/proc/${pid}/status`, "utf8").catch(() => ""));
    if (rss === undefined) continue;
    kb += rss;
    found = true;
  }
  return found ? kb / 1024 : undefined;
}

/** CPU time (user + system) the group's live processes used so far, in ms (clock ticks of 10 ms). */
export async function cpuMs(pgid: number): Promise<number> {
  let ms = 0;
  for (const pid of await groupPids(pgid)) ms += await processCpuMs(pid);
  return ms;
}

/** CPU time (user + system) of one process so far, in ms; 0 when it is gone. */
export async function processCpuMs(pid: number): Promise<number> {
  return cpuMsOfStat(await readFile(`/proc/${pid}/stat`, "utf8").catch(() => ""));
}

/**
 * TcpExt ListenOverflows of this network namespace (the whole machine's loopback here): times a
 * listening socket's accept queue was full and a connection's handshake was dropped, to be sent again
 * by the kernel a second or more later.
 */
export async function listenOverflows(): Promise<number | undefined> {
  const text = await readFile("/proc/net/netstat", "utf8").catch(() => "");
  const lines = text.split("\n").filter((l) => l.startsWith("TcpExt:"));
  if (lines.length < 2) return undefined;
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  const i = names.indexOf("ListenOverflows");
  return i === -1 ? undefined : Number(values[i]);
}

/**
 * The local ports of the group's established TCP connections to `port` on loopback (nats-server's):
 * one per NATS connection the processes hold.
 */
export async function connectionsTo(pgid: number, port: number): Promise<number[]> {
  const ports: number[] = [];
  for (const pid of await groupPids(pgid)) {
    const inodes = new Set<string>();
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match !== null) inodes.add(match[1]!);
    }
    for (const table of ["tcp", "tcp6"]) {
      const text = await readFile(`/proc/${pid}/net/${table}`, "utf8").catch(() => "");
      for (const line of text.split("\n").slice(1)) {
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        const cols = line.trim().split(/\s+/);
        if (cols.length < 10 || cols[3] !== "01" || !inodes.has(cols[9]!)) continue; // 01: ESTABLISHED
        const remotePort = parseInt(cols[2]!.split(":")[1]!, 16);
        if (remotePort === port) ports.push(parseInt(cols[1]!.split(":")[1]!, 16));
      }
    }
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}
