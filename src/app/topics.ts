import type { ChatAdapter } from "../core/messages.js";
import type { Services } from "../domain/services.js";
import { publishTopic } from "../domain/topic-publish.js";

/** After a reconnect, put back bot-managed topic segments the channel lost (e.g. the server restarted). */
export async function restoreTopics(s: Services, adapter: ChatAdapter): Promise<void> {
  for (const channel of adapter.channels()) {
    try {
      const live = (await adapter.getTopic(channel)) ?? "";
      const missing = await s.topics.observe(adapter.network, channel, live);
      if (missing.length) {
        s.log.info(
          { network: adapter.network, channel, missing: missing.map((m) => m.text) },
          "restoring topic segments",
        );
        await publishTopic(s, adapter.network, channel, await s.topics.get(adapter.network, channel));
      }
    } catch (e) {
      s.log.warn({ err: (e as Error).message, channel }, "could not check the topic after connecting");
    }
  }
}
