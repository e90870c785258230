import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FakeView } from "../harness/slack-api.js";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

const dir = mkdtempSync(join(tmpdir(), "changebot-runbooks-"));
writeFileSync(
  join(dir, "cutover.yaml"),
  [
    "id: cutover",
    "title: Cut the load balancer over",
    "steps:",
    "  - kind: manual",
    "    id: lb",
    "    title: Switch the load balancer",
    "    role: losa",
    "    instructions: Point haproxy at b2.",
    "  - kind: manual",
    "    id: check",
    "    title: Check the new backend",
    "    role: losa",
    "    instructions: Look at the graphs.",
    "",
  ].join("\n"),
);

/** What the view says: its sections' and headers' text, and its context lines. */
const text = (v: FakeView) =>
  v.blocks
    .map(
      (b) =>
        b.text?.text ?? (b.elements ?? []).map((e) => (typeof e.text === "string" ? e.text : "")).join(" "),
    )
    .join("\n");
const opened = (user: string) =>
  eventBody({ type: "app_home_opened", user, channel: `D${user}`, tab: "home" });

describe("App Home", () => {
  const t = slackSuite({ roles: { lead: ["ULEAD"], losa: ["UOPS"] }, config: { runbooks: dir } });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lists downtimes and active runs with their current step and what waits for the viewer; kept fresh", async () => {
    const { fake } = t;
    fake.users.set("UOPS", "olga");
    const start = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 16);
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", `!downtime schedule ${start}Z DB deployment`)));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("Scheduled ")), "the downtime");
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate start cutover")));
    await fake.waitFor(() => fake.posted().find((m) => /started/.test(m.text)), "the run to start");
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate next")));
    await fake.waitFor(
      () => fake.posted().find((m) => m.blocks?.some((b) => b.type === "actions")),
      "step 1",
    );

    await fake.deliver(opened("UOPS"));
    const first = await fake.waitFor(() => fake.published.find((p) => p.user_id === "UOPS"), "views.publish");
    const home = text(first.view);
    expect(first.view.type).toBe("home");
    expect(home).toContain("#1 DB deployment");
    expect(home).toContain(`<!date^${Date.parse(`${start}Z`) / 1000}^`);
    expect(home).toMatch(/Next announcement: [\w-]+ at <!date\^/);
    expect(home).toContain(
      'cutover #1* — step 1/2 "Switch the load balancer": awaiting-ack — waiting for losa',
    );
    expect(home).toContain(
      'cutover #1: "Switch the load balancer" — acknowledge with `/changebot migrate ack`',
    );
    // olga (losa) may not schedule a downtime: her Home has no button for it.
    expect(JSON.stringify(first.view)).not.toContain("changebot_open_schedule");

    // A button pressed on an older Home (her roles changed since) shows the role check's refusal, not the form.
    const press = (user: string, trigger: string) =>
      fake.interactive({
        type: "block_actions",
        user: { id: user, team_id: "T0TEST" },
        team: { id: "T0TEST" },
        api_app_id: "A0TEST",
        token: "verification-token",
        trigger_id: trigger,
        container: { type: "view", view_id: "V1" },
        view: { id: "V1", type: "home" },
        actions: [{ action_id: "changebot_open_schedule", block_id: "b", type: "button", action_ts: "1.2" }],
      });
    await press("UOPS", "trig-home-0");
    const refused = await fake.waitFor(
      () => fake.opened.find((o) => o.trigger_id === "trig-home-0"),
      "the refusal",
    );
    expect(refused.view.callback_id).toBeUndefined();
    expect(JSON.stringify(refused.view)).toContain("!downtime schedule needs the role lead");

    // The lead's Home shows the run but nothing waiting for them, and the button, which opens the form.
    await fake.deliver(opened("ULEAD"));
    const lead = await fake.waitFor(
      () => fake.published.find((p) => p.user_id === "ULEAD"),
      "the lead's Home",
    );
    expect(text(lead.view)).toContain("Nothing waits for you.");
    expect(JSON.stringify(lead.view)).toContain("changebot_open_schedule");
    await press("ULEAD", "trig-home-1");
    const form = await fake.waitFor(
      () => fake.opened.find((o) => o.trigger_id === "trig-home-1"),
      "the form",
    );
    expect(form.view.callback_id).toBe("changebot_schedule_downtime");

    // Completing the step republishes it, with the run's next step.
    const count = fake.published.length;
    await fake.deliver(eventBody(userMessage(DEV, "UOPS", "!migrate ack")));
    const again = await fake.waitFor(
      () =>
        fake.published.slice(count).find((p) => p.user_id === "UOPS" && text(p.view).includes("step 2/2")),
      "the republished Home",
    );
    expect(text(again.view)).toContain('step 2/2 "Check the new backend"');
    // Unchanged state is not published again.
    const settled = fake.published.length;
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!whoami")));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("You are slack:UDEV")), "whoami");
    expect(fake.published.slice(settled).filter((p) => text(p.view).includes("step 1/2"))).toEqual([]);
  });
});
