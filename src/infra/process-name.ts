import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * This process's name on every job its workers take (BullMQ's processedBy):
 * host, pid and a random part that tells two lives of one pid apart.
 */
export const PROCESS_NAME = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
