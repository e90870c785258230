import { runbooksOf } from "../../src/config/runbook-load.js";
import { bindStep } from "../../src/config/runbook-params.js";
import { formatDuration } from "../../src/core/duration.js";
import { afterAll, beforeAll, describe, expect, test } from "../harness/fixtures.js";
import { pageServer } from "../harness/page-server.js";
import {
  ask,
  CREW,
  driveToEnd,
  okServer,
  shippedRuns,
  sshdCall,
  startRunbookBot,
} from "../harness/runbook-driver.js";

describe("each shipped runbook, driven end to end in chat", () => {
  let http: Awaited<ReturnType<typeof okServer>>;
  let site: Awaited<ReturnType<typeof pageServer>>;
  beforeAll(async () => {
    http = await okServer();
    site = await pageServer();
  });
  afterAll(async () => {
    await http?.close();
    await site?.close();
  });

  const cases = shippedRuns(() => ({ url: http.url, port: new URL(http.url).port, site: site.url }));

  for (const [id, params, label] of cases) {
    test(`${id}${label ? ` (${label})` : ""}: every step, acks by the right roles, commands exactly once and in order, the log`, {
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
        // One remote command, the budget read from the staging logs; the LOSAs act, the bot keeps the topic and announces.
        expect(result.expected).toEqual([
          [
            "sh",
            "-c",
            'grep -h -e "applied just now in" -- $1',
            "sh",
            "/x/launchpad.net-logs/staging/sourcherry/*-staging_restore.log",
          ],
        ]);
        // The page's stylesheet and its link to another site were fetched after the rollout.
        expect(site.hits()).toEqual(expect.arrayContaining(["/", "/style.css", "/elsewhere"]));
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
      } else expect(result.expected.length).toBeGreaterThanOrEqual(3);
      const said = (argv: string[]) => sshd.calls().includes(sshdCall(argv));
      if (id === "ofn-server-move") {
        // The six config files are copied by rsync, not left to a manual step.
        for (const f of [
          "bugsnag.rb",
          "log_before_timeout.rb",
          "newrelic.rb",
          "s3.yml",
          "logrotate.conf",
          "ofn_logo_black.png",
        ])
          expect(sshd.calls().some((c) => c.startsWith("rsync [-avz] [--] ") && c.includes(f))).toBe(true);
        expect(said(["dig", "+noall", "+answer", "-t", "A", "-q", "example.org"])).toBe(true);
      }
      if (id === "hkn-rails-migrate-to-prod") {
        // The unit gets its name back and its ConditionHost over SSH; Solr and the socket are asked.
        expect(
          said([
            "mv",
            "--",
            ".config/systemd/user/hkn-rails-migrate.service",
            ".config/systemd/user/hkn-rails.service",
          ]),
        ).toBe(true);
        expect(
          said([
            "sed",
            "-i",
            "-e",
            "s/^ConditionHost=.*/ConditionHost=vampires/",
            "--",
            ".config/systemd/user/hkn-rails.service",
          ]),
        ).toBe(true);
        expect(
          said([
            "curl",
            "-fsS",
            "--max-time",
            "10",
            "--unix-socket",
            "/srv/apps/hkn/hkn.sock",
            "--",
            "http://localhost/",
          ]),
        ).toBe(true);
        expect(
          said(["curl", "-fsS", "--max-time", "10", "--", "http://localhost:8983/solr/admin/ping"]),
        ).toBe(true);
      }
      if (id === "librarian-migration")
        // Still running after the wait: the restart count and active time compared, not a second is-active.
        expect(sshd.calls().filter((c) => c.startsWith("systemctl [show]"))).toHaveLength(2);
      if (label === "backend") {
        // The backend's run stops lighttpd and unmounts the temporary volume on the new instance.
        expect(said(["umount", "--", "/var/lib/copr/public_html"])).toBe(true);
        expect(
          sshd.calls().filter((c) => c === sshdCall(["systemctl", "stop", "--", "lighttpd.service"])),
        ).toHaveLength(2);
      }

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
      if (id === "copr-instance-upgrade") {
        // The frontend's run passes over the backend's and distgit's steps; the backend's runs all but distgit's.
        const only = rb.steps.filter((x) => x.when !== undefined).map((x) => x.when);
        expect(only.filter((w) => w === "component == backend")).toHaveLength(8);
        expect(result.run.steps.filter((x) => x.status === "skipped").length).toBe(
          label === "backend" ? 1 : 9,
        );
      }
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
