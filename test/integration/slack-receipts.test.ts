import { describe, expect, it } from "vitest";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, slashPayload, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

describe("reactions as receipts on the command's message", () => {
  const t = slackSuite({
    roles: { engineer: ["ULEAD"] },
    config: {
      lpndt: {
        host: "local",
        services: ["cron-fdt"],
        command: ["/bin/sh", "-c", "echo no; exit 3", "lpndt"],
      },
    },
  });

  it("one reaction when queued, another when the job is done or failed; a redelivery adds none", async () => {
    const { fake } = t;
    const ping = userMessage(DEV, "UDEV", "!ping");
    const body = eventBody(ping);
    await fake.deliver(body);
    await fake.deliver(body, 1);
    await fake.waitFor(() => fake.posted().find((m) => /#\d+ done/.test(m.text)), "the ping's result");
    const onPing = () => fake.reactions.filter((r) => r.ts === ping.ts).map((r) => r.name);
    await fake.waitFor(() => onPing().length === 2, "the done receipt");
    expect(onPing()).toEqual(["hourglass_flowing_sand", "white_check_mark"]);
    expect(fake.reactions[0]!.channel).toBe(DEV);

    const stop = userMessage(DEV, "ULEAD", "!lpndt service-stop cron-fdt");
    await fake.deliver(eventBody(stop));
    const onStop = () => fake.reactions.filter((r) => r.ts === stop.ts).map((r) => r.name);
    await fake.waitFor(() => onStop().length === 2, "the failed receipt");
    expect(onStop()).toEqual(["hourglass_flowing_sand", "x"]);

    // A refused command, a command without a job and a slash command react to nothing.
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!lpndt service-stop cron-fdt")));
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!whoami")));
    await fake.slash(slashPayload(DEV, "UDEV", "ping"));
    await fake.waitFor(() => fake.posted().filter((m) => /#\d+ done/.test(m.text)).length === 2, "ping 2");
    await fake.deliver(body, 2);
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!jobs")));
    await fake.waitFor(() => fake.posted().find((m) => /^#3 /m.test(m.text)), "the job list");
    expect(fake.reactions).toHaveLength(4);
  });
});
