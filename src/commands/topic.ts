import { z } from "zod";
import { UserError } from "../core/errors.js";
import { SEPARATOR, type TopicSegment } from "../core/topic-fit.js";
import type { Services } from "../domain/services.js";
import { publishTopic } from "../domain/topic-publish.js";
import { noArgs, requiredText } from "./args.js";
import { type Command, type CommandContext, command } from "./types.js";

/** !topic and its edits (Limnoria's Topic plugin is the model). The bot's own segments survive every edit. */
const EDITORS = ["engineer", "losa", "lead"];

/** How much of each segment the answer shows, and how many segments at most. */
const SHOWN_CHARS = 200;
const SHOWN_SEGMENTS = 12;

/**
 * The topic, segment by segment, in an answer of bounded length: a long segment
 * shows its start, and past SHOWN_SEGMENTS the rest are counted (the network's
 * topic itself is fitted by the adapter; this is what the bot keeps).
 */
export function describeTopic(segments: readonly TopicSegment[]): string {
  if (!segments.length) return "The topic is empty.";
  const short = (t: string) => {
    const cps = [...t];
    return cps.length > SHOWN_CHARS
      ? `${cps.slice(0, SHOWN_CHARS).join("").trimEnd()}… (${cps.length} characters)`
      : t;
  };
  const shown = segments
    .slice(0, SHOWN_SEGMENTS)
    .map((s, i) => `[${i + 1}] ${short(s.text)}${s.owner ? ` (kept by the bot: ${s.owner})` : ""}`);
  const rest = segments.length - shown.length;
  return `Topic: ${shown.join(SEPARATOR)}${rest > 0 ? ` (and ${rest} more segments)` : ""}`;
}

async function edit(
  ctx: CommandContext<unknown>,
  mutate: (segs: TopicSegment[]) => TopicSegment[],
  services: Services,
) {
  const { network, channel } = ctx.msg;
  const r = await services.topics.change(network, channel, mutate, true);
  if (!r.changed) {
    await ctx.reply("The topic is unchanged.");
    return;
  }
  await publishTopic(services, network, channel, r.after);
  await ctx.reply(describeTopic(r.after));
}

const splitSegments = (text: string) =>
  text
    .split(SEPARATOR)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => ({ text: t }));

export const topicCommands: Command[] = [
  command({
    family: "topic",
    name: "",
    usage: "!topic",
    summary: "this channel's topic, segment by segment",
    args: noArgs,
    roles: [],
    async run(ctx) {
      await ctx.reply(describeTopic(await ctx.services.topics.get(ctx.msg.network, ctx.msg.channel)));
    },
  }),
  command({
    family: "topic",
    name: "add",
    usage: "!topic add <text>",
    summary: "add a segment at the end of the topic",
    example: "!topic add Rollout at 10:00 UTC",
    args: requiredText("the text to add"),
    roles: EDITORS,
    async run(ctx) {
      await edit(ctx, (segs) => [...segs, ...splitSegments(ctx.args)], ctx.services);
    },
  }),
  command({
    family: "topic",
    name: "set",
    usage: "!topic set <text>",
    summary: "replace people's segments (the bot's own stay); ' | ' separates segments",
    example: "!topic set Welcome | Rollout at 10:00 UTC",
    args: requiredText("the new topic"),
    roles: EDITORS,
    async run(ctx) {
      await edit(ctx, (segs) => [...segs.filter((s) => s.owner), ...splitSegments(ctx.args)], ctx.services);
    },
  }),
  command({
    family: "topic",
    name: "remove",
    usage: "!topic remove <n>",
    summary: "remove segment n (as numbered by !topic)",
    example: "!topic remove 2",
    args: z
      .array(z.string())
      .length(1, "expected one segment number, like 2")
      .transform((w) => w[0]!)
      .pipe(z.string().regex(/^\d+$/, "expected a segment number, like 2").transform(Number)),
    roles: EDITORS,
    async run(ctx) {
      const n = ctx.args;
      await edit(
        ctx,
        (segs) => {
          const seg = segs[n - 1];
          if (!seg) throw new UserError(`The topic has ${segs.length} segment(s); there is no segment ${n}.`);
          if (seg.owner) {
            throw new UserError(
              `Segment ${n} ("${seg.text}") is kept by the bot for ${seg.owner}; it goes when that ends (e.g. !${seg.owner} off).`,
            );
          }
          return segs.filter((_, i) => i !== n - 1);
        },
        ctx.services,
      );
    },
  }),
  command({
    family: "topic",
    name: "undo",
    usage: "!topic undo",
    summary: "undo the last edit made with !topic (the bot's own segments stay as they are)",
    args: noArgs,
    roles: EDITORS,
    async run(ctx) {
      const { network, channel } = ctx.msg;
      const r = await ctx.services.topics.undo(network, channel);
      if (!r) throw new UserError("There is no topic edit to undo.");
      if (r.changed) await publishTopic(ctx.services, network, channel, r.after);
      await ctx.reply(describeTopic(r.after));
    },
  }),
];
