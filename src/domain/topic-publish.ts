import { topicMessage } from "../core/outbound.js";
import { parseTarget } from "../core/targets.js";
import { refuseInRehearsal } from "./rehearsal-guard.js";
import type { Services } from "./services.js";
import type { TopicSegment } from "./topic-store.js";

/** Sends a channel's topic, as stored, to its network (the outbox fits it to the network's limit). */
export async function publishTopic(
  services: Services,
  network: string,
  channel: string,
  segments: TopicSegment[],
) {
  refuseInRehearsal(services, "channel topics");
  await services.outbox.send(topicMessage(network, channel, segments));
}

/** Sets (text) or clears (undefined) a bot-managed topic segment in each "network:channel". */
export async function setManagedSegment(
  services: Services,
  owner: string,
  text: string | undefined,
  channels: readonly string[],
): Promise<void> {
  refuseInRehearsal(services, "channel topics");
  for (const spec of channels) {
    const { network, target } = parseTarget(spec);
    const r = await services.topics.setManaged(network, target, owner, text);
    if (r.changed) await publishTopic(services, network, target, r.after);
  }
}

/** Every channel the bot is configured in, as "network:channel". */
export function configuredChannels(services: Services): string[] {
  const n = services.config.networks;
  return [
    ...(n.console ? [`console:${n.console.channel}`] : []),
    ...(n.irc?.channels.map((c) => `irc:${c}`) ?? []),
    ...(n.slack?.channels.map((c) => `slack:${c}`) ?? []),
  ];
}
