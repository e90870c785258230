import type { OutboundMessage } from "../../src/core/messages.js";
import { SHIPPED_RUNBOOKS, shippedHosts } from "../harness/config.js";
import { describe, expect, type StartBot, test } from "../harness/fixtures.js";
import { ask } from "../harness/runbook-driver.js";
import type { Sshd } from "../harness/sshd.js";

/**
 * With web.baseUrl set, the answers about a run, a job and the downtimes carry
 * their page's link; the console keeps the whole answer too. Without baseUrl, no
 * links (the address of a server on loopback is not one people elsewhere can open).
 */
const BASE = "https://changebot.example.org";
const OFN =
  "new_ip=127.0.0.2 new_domain=prod2.example.org domain=example.org old_login=u@old.example.org old_db_host=old.example.org";
const DAY = 24 * 3_600_000;

async function answers(start: StartBot, sshd: Sshd, web: Record<string, unknown>) {
  const t = await start({
    config: { runbooks: SHIPPED_RUNBOOKS, hosts: shippedHosts(sshd.hostEntry()), web },
  });
  const said = (text: string, re: RegExp) =>
    ask(t.adapter, text, "tester", (m: OutboundMessage) => re.test(m.text)).then((m) => m.text);
  const out: Record<string, string> = {};
  out.start = await said(`!migrate start ofn-server-move ${OFN}`, /run #1 started/);
  out.status = await said("!migrate status", /run #1 \(active\)/);
  out.log = await said("!migrate log", /run #1 \(active\): started/);
  await said("!ping", /^#\d+ done/);
  const id = Number(/#(\d+)/.exec(await said("!jobs", /ping/))![1]);
  out.job = await said(`!job ${id}`, new RegExp(`^#${id} done`));
  out.jobLog = await said(`!job log ${id}`, new RegExp(`^#${id} (log|has no output)`));
  const when = new Date(t.services.clock.now() + 3 * DAY).toISOString().slice(0, 16).replace("T", " ");
  await said(`!downtime schedule "${when} UTC" DB deployment`, /^Scheduled/);
  out.downtimes = await said("!downtime list", /DB deployment/);
  return { id, out };
}

describe("links to the web pages in chat answers", () => {
  test("with web.baseUrl: run, job and downtime answers end with their page, the whole answer kept", async ({
    bot,
    runbookSshd,
  }) => {
    const { id, out } = await answers(bot, runbookSshd, { baseUrl: `${BASE}/` });
    const run = `${BASE}/runs/ofn-server-move-1`;
    expect(out.start).toContain(run);
    // The console is not paced: the plan is still there, step by step.
    expect(out.start).toMatch(/\n {0,1}1\. /);
    expect(out.status).toContain(run);
    expect(out.log).toContain(run);
    expect(out.log).toMatch(/Timeline:/);
    expect(out.job).toContain(`${BASE}/jobs/${id}`);
    expect(out.jobLog).toContain(`${BASE}/jobs/${id}`);
    expect(out.downtimes).toContain(`${BASE}/downtimes`);
  });

  test("without web.baseUrl no answer carries a link, though the pages are served on loopback", async ({
    bot,
    runbookSshd,
  }) => {
    const { out } = await answers(bot, runbookSshd, {});
    for (const [what, text] of Object.entries(out))
      expect({ what, text }).toEqual({ what, text: expect.not.stringMatching(/https?:\/\//) });
  });

  test("with web.baseUrl but web.enabled off: no links, nothing serves them", async ({
    bot,
    runbookSshd,
  }) => {
    const { out } = await answers(bot, runbookSshd, { enabled: false, baseUrl: BASE });
    expect(Object.values(out).join("\n")).not.toMatch(/https?:\/\//);
  });
});
