import { randomBytes } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

const tryRead = (read: () => string): string => {
  try {
    return read().trim();
  } catch {
    return "";
  }
};

/**
 * Where this process's pid means something: the host's name, and on Linux the
 * kernel's boot and the pid namespace (two containers may share a host name and
 * each have a process 1). Two processes with the same MACHINE see the same pids.
 */
export const MACHINE = [
  hostname(),
  tryRead(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8").slice(0, 8)),
  tryRead(() => readlinkSync("/proc/self/ns/pid").replace(/\D/g, "")),
]
  .filter(Boolean)
  .join("/");

/**
 * This process's name on every job its workers take (BullMQ's processedBy):
 * its MACHINE, its pid and a random part that tells two lives of one pid apart.
 */
export const PROCESS_NAME = `${MACHINE}:${process.pid}:${randomBytes(3).toString("hex")}`;
