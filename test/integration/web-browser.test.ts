import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { startTestBot } from "../harness/bot.js";
import { SHIPPED_HOSTS, SHIPPED_RUNBOOKS } from "../harness/config.js";
import { requireBinary, startRedis } from "../harness/servers.js";

/**
 * The pages in a real browser (Debian's chromium, driven by playwright-core): a
 * run started from chat shows its plan, a step acknowledged in chat appears on
 * the open page without a reload, and the public status page shows a scheduled
 * downtime and nothing internal. Screenshots go to test-artifacts/.
 */
const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url).pathname;
const OFN =
  "new_ip=127.0.0.2 new_domain=prod2.example.org domain=example.org old_login=u@old.example.org old_db_host=old.example.org";

describe("web pages in a browser", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let browser: BrowserContext;
  let profile: string;
  const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));

  beforeAll(async () => {
    const exe = requireBinary("chromium", "chromium");
    mkdirSync(ARTIFACTS, { recursive: true });
    redis = await startRedis();
    bot = await startTestBot({
      redisUrl: redis.url,
      clock,
      roles: { admin: ["tester"], lead: ["lena"], engineer: ["eve"] },
      config: {
        runbooks: SHIPPED_RUNBOOKS,
        // No step of this test reaches a host; the runbook only needs them named.
        hosts: Object.fromEntries(
          SHIPPED_HOSTS.map((h) => [h, { host: "127.0.0.1", port: 9, user: "nobody" }]),
        ),
        web: { public: true, liveMs: 200 },
      },
    });
    profile = mkdtempSync(join(tmpdir(), "changebot-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: exe,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await redis?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const say = async (text: string, user: string, re: RegExp) => {
    const p = bot.adapter.waitFor((m) => re.test(m.text));
    await bot.adapter.say(text, user);
    return p;
  };

  it("shows the plan of a run started in chat, and a step acked in chat appears without a reload", async () => {
    expect(bot.bot.web?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await say(`!migrate start ofn-server-move ${OFN}`, "lena", /run #\d+ started/);
    const page: Page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${bot.bot.web!.url}/runs/ofn-server-move-1`);
    expect(await page.locator("h1").textContent()).toContain("run #1");
    const rows = page.locator("#plan tr[data-step]");
    expect(await rows.count()).toBeGreaterThan(10);
    expect(await rows.first().textContent()).toContain("DNS TTL of the production name is 5 minutes");
    expect(await rows.first().locator(".st").textContent()).toBe("pending");
    await page.waitForSelector("#live-state:text('updates as they happen')");
    // Mark the page: a reload would lose the mark.
    await page.evaluate(() => {
      (globalThis as unknown as { marked: boolean }).marked = true;
    });
    await say("!migrate next", "eve", /ack/i);
    await say("!migrate ack TTL lowered yesterday", "eve", /done|step 2/i);
    await page.locator('#plan tr[data-step="1"] .st:text-is("done")').waitFor({ timeout: 10_000 });
    expect(await page.locator('#plan tr[data-step="1"]').textContent()).toContain("acked: eve");
    expect(await page.evaluate(() => (globalThis as unknown as { marked?: boolean }).marked)).toBe(true);
    expect(await page.locator('svg rect.bar[data-step="1"]').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, "run-page.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a scheduled downtime on the public status page, with nothing internal", async () => {
    await say("!downtime schedule 2026-11-22 02:00 UTC window=90m Database upgrade", "lena", /#\d+/);
    const page = await browser.newPage();
    const res = await page.goto(`${bot.bot.web!.url}/status`);
    expect(res?.status()).toBe(200);
    const text = await page.locator("main").textContent();
    expect(text).toContain("Scheduled");
    expect(text).toContain("Maintenance #1: Database upgrade");
    expect(text).toContain("2026-11-22 02:00 UTC");
    for (const internal of ["lena", "!downtime", "console", "ofn", "tester", "Overview"])
      expect(text).not.toContain(internal);
    expect(await page.locator("a[href='/downtimes']").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "status-page.png"), fullPage: true });
    await page.close();
  });
});
