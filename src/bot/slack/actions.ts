import type { Logger } from "../../core/log.js";
import type { InboundMessage } from "../../core/messages.js";
import { editOf } from "../../core/outbound.js";
import type { HandleResult } from "../router.js";
import { actedBlocks } from "./format.js";
import { slackIdentity } from "./inbound.js";
import type { UserNames } from "./names.js";

/** The fields of a block_actions payload a button click needs. */
interface ClickBody {
  type: string;
  user: { id: string; team_id?: string };
  team?: { id: string } | null;
  channel?: { id: string };
  container?: { channel_id?: string; message_ts?: string };
  message?: { ts: string; thread_ts?: string; text?: string; blocks?: unknown[] };
}

interface ButtonAction {
  type: string;
  value?: string;
  action_ts: string;
  text?: { text: string };
}

export interface ClickDeps {
  network: string;
  body: unknown;
  action: unknown;
  names: UserNames;
  log: Logger;
  /** The bot's message handler: the router, which answers with the HandleResult. */
  run(msg: InboundMessage): unknown;
}

function outcomeOf(r: unknown): HandleResult["outcome"] | undefined {
  return r && typeof r === "object" && "outcome" in r ? (r as HandleResult).outcome : undefined;
}

/**
 * A click on one of the bot's buttons is the button's command typed by the
 * person who clicked, through the same router (so the same role check). If the
 * command runs, the router sends the message's edit through the outbox: it says
 * who acted and loses its buttons. If it is refused, the router tells the
 * clicker why in the thread and the message stays as it was, buttons and all.
 */
export async function handleClick(d: ClickDeps): Promise<void> {
  const body = d.body as ClickBody;
  const action = d.action as ButtonAction;
  const channel = body.channel?.id ?? body.container?.channel_id;
  const message = body.message;
  if (!channel || !message || !action.value) return;
  const userId = body.user.id;
  const teamId = body.user.team_id ?? body.team?.id;
  const edited = actedBlocks(message.blocks, message.text ?? "", action.text?.text ?? action.value, userId);
  const msg: InboundMessage = {
    network: d.network,
    channel,
    user: slackIdentity(d.network, userId, teamId, await d.names.get(userId)),
    text: action.value,
    // The same click redelivered has the same action_ts: it runs once.
    id: `click:${channel}:${message.ts}:${action.action_ts}`,
    threadId: message.thread_ts ?? message.ts,
    addressed: true,
    whenRun: editOf(d.network, channel, message.ts, edited.text, edited.blocks),
    raw: body,
  };
  const outcome = outcomeOf(await d.run(msg));
  d.log.info({ channel, user: userId, command: action.value, outcome }, "Slack: button clicked");
}
