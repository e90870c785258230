import type { OutboundMessage } from "../../src/core/messages.js";
import { SHIPPED_RUNBOOKS, shippedHosts } from "../harness/config.js";
import { describe, expect, test } from "../harness/fixtures.js";
import { ask } from "../harness/runbook-driver.js";

/**
 * A run's page stays where chat linked it: when a newer run of the same runbook
 * starts in the channel, the ended one is still at /runs/<runbook>-<seq>.
 */
const OFN =
  "new_ip=127.0.0.2 new_domain=prod2.example.org domain=example.org old_login=u@old.example.org old_db_host=old.example.org";

describe("run pages of ended runs", () => {
  test("an aborted run's page still shows it after the next run of its runbook started", async ({
    bot,
    runbookSshd,
  }) => {
    const t = await bot({
      config: { runbooks: SHIPPED_RUNBOOKS, hosts: shippedHosts(runbookSshd.hostEntry()) },
    });
    const said = (text: string, re: RegExp) =>
      ask(t.adapter, text, "tester", (m: OutboundMessage) => re.test(m.text)).then((m) => m.text);
    await said(`!migrate start ofn-server-move ${OFN}`, /run #1 started/);
    await said("!migrate abort testing the pages", /aborted/);
    await said(`!migrate start ofn-server-move ${OFN}`, /run #2 started/);
    const url = t.bot.web!.url;
    const first = await fetch(`${url}/runs/ofn-server-move-1`);
    expect(first.status).toBe(200);
    const page = await first.text();
    expect(page).toMatch(/run #1/);
    expect(page).toMatch(/aborted/);
    const second = await (await fetch(`${url}/runs/ofn-server-move-2`)).text();
    expect(second).toMatch(/run #2/);
    // Each step as the run does it: its parameters filled in.
    expect(second).toContain("allow from 127.0.0.2");
    expect(second).not.toContain("${new_ip}");
    expect((await fetch(`${url}/runs/ofn-server-move-3`)).status).toBe(404);
  });
});
