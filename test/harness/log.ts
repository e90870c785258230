import { Writable } from "node:stream";
import pino from "pino";
import { REDACT_PATHS } from "../../src/core/log.js";

/** A real pino logger (with the bot's redaction) whose lines a test can read. */
export function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) {
        raw.push(l);
        lines.push(JSON.parse(l));
      }
      cb();
    },
  });
  const log = pino({ level: "debug", redact: { paths: REDACT_PATHS, censor: "[secret]" } }, stream);
  return { log, lines, text: () => raw.join("\n") };
}
