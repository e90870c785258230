import { describe, expect, it } from "vitest";
import { downtimes } from "../../src/announce/lifecycle.js";
import { DEV, SIGNING_SECRET } from "../harness/slack-bot.js";
import { postEvent, slashPayload, viewSubmission } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

const HOUR = 3_600_000;
const unix = (ms: number) => Math.floor(ms / 1000 / 60) * 60;
/** The form's values as Slack sends them (datetimepickers give unix seconds). */
function values(o: { start: number; backup?: number; window?: string; title?: string; short?: boolean }) {
  return {
    start: { value: { type: "datetimepicker", selected_date_time: unix(o.start) } },
    window: { value: { type: "plain_text_input", value: o.window ?? null } },
    backup: { value: { type: "datetimepicker", selected_date_time: o.backup ? unix(o.backup) : null } },
    title: { value: { type: "plain_text_input", value: o.title ?? null } },
    short_notice: { value: { type: "checkboxes", selected_options: o.short ? [{ value: "yes" }] : [] } },
  };
}

describe("the downtime scheduling form", () => {
  const t = slackSuite();

  it("opens on an empty /changebot downtime schedule; refusals show on the field; a valid one schedules", async () => {
    const { fake, bot } = t;
    const open = slashPayload(DEV, "ULEAD", "downtime schedule");
    await fake.slash(open);
    const { view, trigger_id } = await fake.waitFor(() => fake.opened[0], "views.open");
    expect(trigger_id).toBe(open.trigger_id);
    expect(view.blocks.map((b) => [b.block_id, b.element?.type])).toEqual([
      ["start", "datetimepicker"],
      ["window", "plain_text_input"],
      ["backup", "datetimepicker"],
      ["title", "plain_text_input"],
      ["short_notice", "checkboxes"],
    ]);
    const all = () => downtimes(bot.bot.services).all();

    // Two hours ahead without short notice: the 4 h notice would be missed.
    const soon = await fake.interactive(
      viewSubmission(view, "ULEAD", values({ start: Date.now() + 2 * HOUR })),
    );
    expect(soon).toMatchObject({
      response_action: "errors",
      errors: { start: expect.stringMatching(/less than 4h/) },
    });
    // A backup window inside the window itself.
    const start = Date.now() + 48 * HOUR;
    const close = values({ start, window: "2h", backup: start + HOUR, title: "DB" });
    const tooClose = await fake.interactive(viewSubmission(view, "ULEAD", close));
    expect(tooClose).toMatchObject({
      response_action: "errors",
      errors: { backup: expect.stringMatching(/backup/) },
    });
    // Someone without the role who asks for the form gets the command's refusal, privately, and no form.
    await fake.slash(slashPayload(DEV, "UDEV", "downtime schedule"));
    const no = await fake.waitFor(() => fake.ephemerals.find((m) => m.user === "UDEV"), "the refusal");
    expect(no.text).toMatch(
      /^:warning: !downtime schedule needs the role lead; you \(slack:UDEV\) have no roles/,
    );
    expect(fake.opened).toHaveLength(1);
    fake.ephemerals.length = 0;
    // With a form still open from before (the role taken away since), the refusal shows on the form.
    const denied = await fake.interactive(viewSubmission(view, "UDEV", values({ start })));
    expect(denied).toMatchObject({ errors: { start: expect.stringMatching(/needs the role lead/) } });
    expect(await all()).toEqual([]);
    expect(fake.ephemerals).toEqual([]);

    const good = values({ start, window: "2h", backup: start + 24 * HOUR, title: 'DB "v2" deployment' });
    const submitted = viewSubmission(view, "ULEAD", good);
    const ok = await fake.interactive(submitted);
    expect(ok ?? {}).not.toHaveProperty("response_action");
    await fake.interactive(submitted);
    const reply = await fake.waitFor(
      () => fake.posted().find((m) => m.text.startsWith("Scheduled ")),
      "the reply",
    );
    expect(reply.channel).toBe(DEV);
    expect(reply.text).toContain("Announcements: ");
    await fake.waitFor(
      () => fake.posted().find((m) => m.text.startsWith(":mega:") && m.text.includes('DB "v2" deployment')),
      "the announcement",
    );
    const [d, ...more] = await all();
    expect(more).toEqual([]);
    expect(d).toMatchObject({
      start: unix(start) * 1000,
      windowMs: 2 * HOUR,
      backup: unix(start + 24 * HOUR) * 1000,
    });
  });
});

describe("the scheduling form over the HTTP receiver", () => {
  const t = slackSuite({ mode: "http" });

  it("a refused submission answers with the field's error in the response; a valid one schedules", async () => {
    const { fake, bot } = t;
    await postEvent(bot.eventsUrl(), slashPayload(DEV, "ULEAD", "downtime schedule"), {
      secret: SIGNING_SECRET,
      fields: true,
    });
    const { view } = await fake.waitFor(() => fake.opened[0], "views.open");
    const soon = viewSubmission(view, "ULEAD", values({ start: Date.now() + HOUR }));
    const refused = await postEvent(bot.eventsUrl(), soon, { secret: SIGNING_SECRET, form: true });
    expect(refused.status).toBe(200);
    expect(await refused.json()).toMatchObject({
      response_action: "errors",
      errors: { start: expect.any(String) },
    });
    const good = viewSubmission(view, "ULEAD", values({ start: Date.now() + 48 * HOUR, title: "over http" }));
    expect((await postEvent(bot.eventsUrl(), good, { secret: SIGNING_SECRET, form: true })).status).toBe(200);
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("Scheduled ")), "the reply");
    expect(await downtimes(bot.bot.services).all()).toHaveLength(1);
  });
});
