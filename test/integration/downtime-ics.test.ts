import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { promisify } from "node:util";
import { writeConfig } from "../harness/child.js";
import { describe, expect, test } from "../harness/fixtures.js";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const H = 3_600_000;

describe("changebot downtimes --ics", () => {
  test("exports the schedule as iCalendar, a moved window keeping its UID, a cancelled one marked so", async ({
    redis,
    prefix,
    bot,
  }) => {
    // The export reads the bot's keys; the key prefix names the calendar's UIDs.
    const t = await bot();
    const cfg = writeConfig({ redis: redis.url, keyPrefix: prefix });
    const cleanup = () => rmSync(dirname(cfg), { recursive: true, force: true });
    try {
      const T0 = Math.floor((Date.now() + 48 * H) / 60_000) * 60_000;
      await t.adapter.say(`!downtime schedule ${new Date(T0).toISOString()} window=90m Monthly DB`);
      await t.adapter.say(`!downtime schedule ${new Date(T0 + 24 * H).toISOString()} Spare`);
      await t.adapter.waitFor((m) => m.text.startsWith("Scheduled #2"));
      await t.adapter.say(`!downtime move 1 ${new Date(T0 + 2 * H).toISOString()}`);
      await t.adapter.say("!downtime cancel 2 not needed");
      await t.adapter.waitFor((m) => m.text.startsWith("Cancelled #2"));
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", "src/main.ts", "downtimes", "--ics", "--config", cfg],
        {
          cwd: ROOT,
        },
      );
      const text = stdout.replace(/\r\n[ \t]/g, "");
      expect(text.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
      expect(text).toContain("VERSION:2.0");
      const events = text.split("BEGIN:VEVENT").slice(1);
      expect(events).toHaveLength(2);
      const ical = (t: number) =>
        new Date(t)
          .toISOString()
          .replace(/[-:]/g, "")
          .replace(/\.\d{3}/, "");
      const first = events.find((e) => e.includes(`UID:downtime-1@${prefix}.changebot`))!;
      expect(first).toContain(`DTSTART:${ical(T0 + 2 * H)}`);
      expect(first).toContain(`DTEND:${ical(T0 + 2 * H + 90 * 60_000)}`);
      expect(first).toContain("SEQUENCE:2");
      expect(first).toContain("SUMMARY:Downtime #1: Monthly DB");
      expect(first).toContain("STATUS:CONFIRMED");
      const second = events.find((e) => e.includes(`UID:downtime-2@${prefix}.changebot`))!;
      expect(second).toContain("STATUS:CANCELLED");
      const plain = await run(
        process.execPath,
        ["--import", "tsx", "src/main.ts", "downtimes", "--config", cfg],
        {
          cwd: ROOT,
        },
      );
      expect(plain.stdout).toMatch(
        /^#1 "Monthly DB" \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 2d (2h|1h 59m)\) for 1h 30m/m,
      );
    } finally {
      cleanup();
    }
  }, 40_000);
});
