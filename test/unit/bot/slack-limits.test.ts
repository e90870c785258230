import { describe, expect, it } from "vitest";
import type { Downtime } from "../../../src/announce/downtimes.js";
import { MESSAGE_BLOCKS_MAX, renderBlocks } from "../../../src/bot/slack/format.js";
import { cutList, HOME_BLOCKS_MAX, homeView, LIST_MAX } from "../../../src/bot/slack/home.js";
import type { HomeData, HomeState } from "../../../src/bot/slack/home-data.js";
import { HomePublisher } from "../../../src/bot/slack/home-publisher.js";
import { silentLogger } from "../../../src/core/log.js";
import type { RunState } from "../../../src/domain/runbook/state.js";

const downtime = (id: number): Downtime =>
  ({ id, title: `dt ${id}`, start: 1_800_000_000_000, windowMs: 5_400_000, status: "scheduled" }) as Downtime;
const run = (seq: number) => ({ runbook: "cutover", seq, network: "slack", channel: "C1" }) as RunState;

describe("Slack's limits", () => {
  it("a long list shows LIST_MAX items, then how many more and the page with all of them", () => {
    const items = Array.from({ length: 25 }, (_, i) => `item ${i}`);
    const blocks = cutList(items, "none", "https://bot.example.org/downtimes");
    expect(blocks).toHaveLength(LIST_MAX + 1);
    expect(JSON.stringify(blocks.at(-1))).toContain(
      "… and 15 more: <https://bot.example.org/downtimes|all of them>",
    );
    expect(JSON.stringify(cutList(items, "none").at(-1))).toContain("… and 15 more");
  });

  it("App Home stays within Slack's 100 blocks and 3000 characters a section, however much there is", () => {
    const data: HomeData = {
      now: 0,
      downtimes: Array.from({ length: 200 }, (_, i) => ({ d: downtime(i + 1) })),
      runs: Array.from({ length: 200 }, (_, i) => ({
        run: run(i + 1),
        step: { n: 1, of: 2, title: "x".repeat(5000), status: "awaiting-ack", role: "losa" },
      })),
      mine: Array.from({ length: 200 }, (_, i) => ({ run: run(i + 1), title: "t", action: "ack" as const })),
    };
    const view = homeView(data);
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCKS_MAX);
    for (const b of view.blocks as { text?: { text: string } }[])
      expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(view)).toContain("… and 190 more");
  });

  it("a message's blocks are cut to Slack's 50 with a count, its buttons kept", () => {
    const extra = Array.from({ length: 80 }, (_, i) => ({
      type: "section",
      text: { type: "mrkdwn", text: `${i}` },
    }));
    const blocks = renderBlocks("t", [{ label: "Go", command: "!go" }], extra) as { type: string }[];
    expect(blocks).toHaveLength(MESSAGE_BLOCKS_MAX);
    expect(blocks.at(-1)!.type).toBe("actions");
    expect(JSON.stringify(blocks.at(-2))).toContain("… and 32 more");
  });

  it("views.publish at most once per interval per person", async () => {
    const calls: { user_id: string }[] = [];
    const client = { views: { publish: async (a: { user_id: string }) => void calls.push(a) } };
    let rc = false;
    const state = async (): Promise<HomeState> => ({
      now: 0,
      downtimes: [],
      runs: [],
      roles: {},
      ...(rc ? { rc: { on: true, since: 0, by: "alice" } as HomeData["rc"] } : {}),
    });
    const who = { network: "slack", id: "U1", display: "u" };
    const limited = new HomePublisher({
      client: () => client as never,
      log: silentLogger(),
      state,
      minIntervalMs: 3_600_000,
    });
    await limited.opened(who);
    rc = true;
    await limited.opened(who);
    expect(calls).toHaveLength(1);
    limited.stop();

    const free = new HomePublisher({
      client: () => client as never,
      log: silentLogger(),
      state,
      minIntervalMs: 0,
    });
    await free.opened(who);
    expect(calls).toHaveLength(2);
    await free.opened({ ...who, id: "U2" });
    expect(calls.map((c) => c.user_id)).toEqual(["U1", "U1", "U2"]);
    free.stop();
  });
});
