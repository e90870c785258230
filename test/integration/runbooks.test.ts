import { runbooksOf } from "../../src/config/runbook-load.js";
import { bindStep } from "../../src/config/runbook-params.js";
import { formatDuration } from "../../src/core/duration.js";
import { afterAll, beforeAll, describe, expect, test } from "../harness/fixtures.js";
import { ask, CREW, driveToEnd, okServer, sshdCall, startRunbookBot } from "../harness/runbook-driver.js";

describe("each shipped runbook, driven end to end in chat", () => {
  let http: Awaited<ReturnType<typeof okServer>>;
  beforeAll(async () => {
    http = await okServer();
  });
  afterAll(async () => {
    await http?.close();
  });

  const port = () => new URL(http.url).port;
  const cases: [string, () => Record<string, string>][] = [
    [
      "librarian-migration",
      () => ({
        old_app: "launchpad-librarian-old",
        old_spool: "old-librarian.internal:/srv/launchpad/librarian/",
        new_address: "127.0.0.1",
        download_port: port(),
        old_file: "12345/hello_1.0.dsc",
        frontend_url: http.url,
      }),
    ],
    ["launchpad-db-deployment", () => ({ revision: "10381", site_url: http.url })],
    ["hkn-rails-migrate-to-prod", () => ({ site_url: http.url })],
    [
      "ofn-server-move",
      () => ({
        new_ip: "127.0.0.2",
        new_domain: "prod2.example.org",
        domain: "example.org",
        old_login: "ubuntu@old.example.org",
        old_db_host: "old.example.org",
      }),
    ],
    [
      "copr-instance-upgrade",
      () => ({
        component: "frontend",
        instance: "devel",
        data_mount: "/srv/copr-fe",
        stop_unit: "copr-frontend.target",
        check_url: http.url,
      }),
    ],
  ];

  for (const [id, params] of cases) {
    test(`${id}: every step, acks by the right roles, commands exactly once and in order, the log`, {
      timeout: 60_000,
    }, async ({ bot, runbookSshd: sshd }) => {
      // Every host the runbooks name is this one sshd, whose fake commands record their argv.
      const t = await startRunbookBot(bot, sshd);
      const { clock } = t;
      sshd.clearCalls();
      const kv = Object.entries(params()).map(([k, v]) => `${k}=${v}`);
      const plan = await ask(t.adapter, `!migrate start ${id} ${kv.join(" ")}`, CREW.lead, (m) =>
        m.text.includes("run #"),
      );
      expect(plan.text).toMatch(new RegExp(`^${id} run #\\d+ started by lena`));
      const result = await driveToEnd({ services: t.services, adapter: t.adapter, clock }, id);
      expect(result.run.status).toBe("finished");
      expect(sshd.calls()).toEqual(result.expected.map(sshdCall));
      if (id === "launchpad-db-deployment") {
        // No remote commands: the LOSAs act, the bot keeps the topic and announces.
        expect(result.expected).toEqual([]);
        const topics = t.adapter.sent.filter((m) => m.kind === "topic").map((m) => m.text);
        expect(topics).toEqual(["PQM in RC mode", ""]);
        const said = t.adapter.texts();
        // RC mode through the same path as !rc-mode: its state, its topic segment, its announcement.
        expect(
          said.some((x) => x.startsWith("PQM is in RC mode (eve: database deployment, db-stable r10381;")),
        ).toBe(true);
        expect(said).toContain("PQM is out of RC mode (eve); landings are open again.");
        expect(said).toContain(
          "Launchpad's database deployment is done and the site is back. Thanks for your patience.",
        );
      } else expect(result.expected.length).toBeGreaterThan(3);

      const log = await ask(t.adapter, "!migrate log", CREW.engineer, (m) => m.text.includes("(finished)"));
      const rb = runbooksOf(t.services.config).runbooks.get(id)!;
      for (const [i, raw] of rb.steps.entries()) {
        const step = bindStep(raw, result.run.params);
        // A step whose when: does not hold for these parameters is passed over, saying why.
        const off = raw.when !== undefined && result.run.steps[i]!.status === "skipped";
        expect(log.text).toContain(
          `${String(i + 1).padStart(2)}. ${off ? "SKIPPED" : "DONE"} ${step.title} (${step.kind})${off ? ` — "when: ${raw.when} is false` : ""}`,
        );
      }
      if (id === "copr-instance-upgrade")
        // The frontend's run passes over the three backend-only steps.
        expect(result.run.steps.filter((x) => x.status === "skipped").length).toBe(3);
      expect(result.downtimeMs).toBeGreaterThan(0);
      expect(log.text).toMatch(new RegExp(`Downtime: .* measured ${formatDuration(result.downtimeMs!)}`));
      for (const m of rb.steps.filter((s) => s.kind === "manual" && s.when === undefined))
        expect(log.text).toMatch(
          new RegExp(
            `DONE ${m.title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\$\\\{\w+\\\}/g, ".*")} \\(manual\\) by eve, (confirmed by oscar, )?acked by (eve|olga|lena)`,
          ),
        );
    });
  }
});
