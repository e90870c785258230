import type { Redis } from "ioredis";
import type { Logger } from "../core/log.js";
import { MACHINE, PROCESS_NAME } from "./process-name.js";
import type { Queues } from "./queues.js";

/**
 * Whether a job's taker is a process that saw the same pids as this one (same
 * host, boot and pid namespace) and is gone. Elsewhere, or unsure: no.
 */
export function deadOnThisHost(name: string | undefined): boolean {
  if (!name || name === PROCESS_NAME) return false;
  const m = /^(.*):(\d+):[0-9a-f]+$/.exec(name);
  if (!m || m[1] !== MACHINE) return false;
  const pid = Number(m[2]);
  // An earlier process that had this very pid: it cannot be running beside this one.
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * At start: jobs that a process of this host (same boot, same pid namespace)
 * was running when it died (kill -9, a crash) go back to the head of their
 * queue now, instead of waiting for their lock to run out (`jobs.lockMs`) and
 * a stalled check. Each is then handled as
 * a stalled one would be: an announcement's marker resumes it, a job's record
 * says it was running. A job whose lock has already gone is left to the stalled
 * check; one whose taker is alive, or on another host, is never touched.
 */
export async function reclaimFromDead(
  queues: Queues,
  redis: Redis,
  names: readonly string[],
  log: Logger,
): Promise<number> {
  let n = 0;
  for (const name of names) {
    const queue = queues.get(name);
    for (const job of await queue.getActive()) {
      if (!job.id || !deadOnThisHost(job.processedBy)) continue;
      const token = await redis.get(`${queue.toKey(job.id)}:lock`);
      if (!token) continue;
      // Refused (an error) when the job moved on meanwhile: then there is nothing to do.
      if (
        await job.moveToWait(token).then(
          () => true,
          () => false,
        )
      ) {
        n++;
        log.info(
          { queue: name, job: job.id, was: job.processedBy },
          "took back a job of a process that died",
        );
      }
    }
  }
  return n;
}
