// The floor of bench/startup.ts: a fresh node process that loads BullMQ, connects to
// Redis, and runs one job through a queue and a worker, then prints "done".
// Usage: node bench/bullmq-once.mjs <redis-url>
import { Queue, QueueEvents, Worker } from "bullmq";

const url = new URL(process.argv[2]);
const connection = { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
const prefix = `once${process.pid}`;
const q = new Queue("once", { connection, prefix });
const events = new QueueEvents("once", { connection, prefix });
const w = new Worker("once", async () => "pong", { connection, prefix });
await events.waitUntilReady();
const job = await q.add("ping", {});
await job.waitUntilFinished(events);
process.stdout.write("done\n");
await Promise.all([w.close(), events.close(), q.close()]);
process.exit(0);
