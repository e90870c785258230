import { describe, expect, type StartBot, test } from "../harness/fixtures.js";

describe("!db-budget", () => {
  const start = (bot: StartBot) =>
    bot({
      roles: { engineer: ["eve"] },
      config: {
        hosts: { staging: { host: "127.0.0.1", user: "x" }, prod: { host: "127.0.0.1", user: "x" } },
        dbBudget: { logs: { staging: ["/srv/staging/logs", "/var/log/lp/"] } },
      },
    });

  test("gives a verdict from staging seconds against the window", async ({ bot }) => {
    const t = await start(bot);
    await t.adapter.say("!db-budget 70.5 600", "eve");
    await t.adapter.waitFor((m) => m.text.startsWith("Within budget: staging 11m 11s → production estimate"));
    await t.adapter.say("!db-budget 1500 900.5", "eve");
    const r = await t.adapter.waitFor((m) => m.text.startsWith("OVER BUDGET"));
    expect(r.text).toContain("= 1h 30m 1s, 1s more than the 1h 30m window");
    await t.adapter.say("!db-budget 1500 900.5 window=2h", "eve");
    await t.adapter.waitFor((m) => m.text.includes("fits the 2h window with 29m 59s to spare"));
  });

  test("refuses bad input with a clear line and queues nothing", async ({ bot }) => {
    const t = await start(bot);
    await t.adapter.say("!db-budget soon", "eve");
    await t.adapter.waitFor((m) => m.text.includes('"soon" is not a number of seconds'));
    await t.adapter.say("!db-budget staging:/x/logs/*.log;rm", "eve");
    await t.adapter.waitFor((m) => m.text.includes("is not a plain path or glob"));
    await t.adapter.say("!db-budget devpad:/x/*.log", "eve");
    await t.adapter.waitFor((m) =>
      m.text.includes('"devpad" is not a host in the config (hosts: staging, prod)'),
    );
    // stdin, a file anywhere, a way out of the folder, a look-alike folder, a host without folders.
    const allowed = "allowed: globs under /srv/staging/logs, /var/log/lp/ (dbBudget.logs.staging)";
    for (const [glob, why] of [
      ["-", 'it starts with "-"'],
      ["-r", 'it starts with "-"'],
      ["/etc/*", "not under a log folder configured for staging"],
      ["/srv/staging/logs/../../../etc/passwd", '".." is not allowed'],
      ["/srv/staging/logs-old/*.log", "not under a log folder configured for staging"],
      ["/srv/staging/logs", "not under a log folder configured for staging"],
      ["srv/staging/logs/*.log", "not an absolute path"],
    ]) {
      await t.adapter.say(`!db-budget staging:${glob}`, "eve");
      await t.adapter.waitFor((m) => m.text === `refused staging:${glob}: ${why}; ${allowed}`);
    }
    await t.adapter.say("!db-budget prod:/srv/staging/logs/*.log", "eve");
    await t.adapter.waitFor((m) =>
      m.text.includes("no log folders are configured for prod; add dbBudget.logs.prod"),
    );
    expect(await t.services.jobs.recent(50)).toEqual([]);
    await t.adapter.say("!db-budget 10", "mallory");
    await t.adapter.waitFor((m) => /needs.*engineer|engineer.*role/i.test(m.text));
    expect(t.adapter.texts().filter((x) => /queued #/.test(x))).toEqual([]);
  });
});
