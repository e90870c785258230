import type { App, types } from "@slack/bolt";
import type { Logger } from "../../core/log.js";
import type { Identity, InboundMessage } from "../../core/messages.js";
import type { HandleResult } from "../router.js";
import { slackIdentity } from "./inbound.js";
import type { UserNames } from "./names.js";

/** The modal's callback id, and the App Home button's action id that opens it. */
export const SCHEDULE_VIEW = "changebot_schedule_downtime";
export const OPEN_SCHEDULE_ACTION = "changebot_open_schedule";

/** Opens the form for a slash command or a button (its trigger_id); what it schedules is answered in `channel`. */
export async function openScheduleForm(client: App["client"], triggerId: string, channel: string) {
  await client.views.open({ trigger_id: triggerId, view: scheduleModal(channel) });
}

/** The line the form stands for, as `who` would type it in `channel`: what the role check is asked about before it opens. */
export const scheduleLine = (network: string, who: Identity, channel: string): InboundMessage => ({
  network,
  channel,
  user: who,
  text: "downtime schedule",
  id: `form-open:${who.id}`,
  addressed: true,
});

/** In place of the form, for someone the role check refuses: the refusal, and nothing to submit. */
export function refusedModal(refusal: string): types.ModalView {
  return {
    type: "modal",
    title: { type: "plain_text", text: "Schedule a downtime" },
    close: { type: "plain_text", text: "Close" },
    blocks: [{ type: "section", text: { type: "plain_text", text: refusal } }],
  };
}

/** `/changebot downtime schedule` with nothing after it opens the form instead. */
export const opensScheduleForm = (text: string) => /^!?downtime\s+schedule\s*$/i.test(text.trim());

/** The form: start and backup as Slack's date-and-time pickers (shown in the person's own zone), window, title, short notice. */
export function scheduleModal(channel: string): types.ModalView {
  const input = (block_id: string, label: string, element: unknown, optional = false, hint?: string) => ({
    type: "input",
    block_id,
    optional,
    label: { type: "plain_text", text: label },
    element: { ...(element as object), action_id: "value" },
    ...(hint ? { hint: { type: "plain_text", text: hint } } : {}),
  });
  return {
    type: "modal",
    callback_id: SCHEDULE_VIEW,
    private_metadata: JSON.stringify({ channel }),
    title: { type: "plain_text", text: "Schedule a downtime" },
    submit: { type: "plain_text", text: "Schedule" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      input("start", "Start", { type: "datetimepicker" }, false, "In your own time zone"),
      input(
        "window",
        "Window",
        { type: "plain_text_input", placeholder: { type: "plain_text", text: "e.g. 90m or 2h" } },
        true,
        "Empty: the configured default",
      ),
      input("backup", "Backup window start", { type: "datetimepicker" }, true),
      input("title", "Title", { type: "plain_text_input", max_length: 150 }, true),
      input(
        "short_notice",
        "Short notice",
        {
          type: "checkboxes",
          options: [
            {
              text: { type: "plain_text", text: "Schedule it even if the usual notice would be missed" },
              value: "yes",
            },
          ],
        },
        true,
      ),
    ] as types.KnownBlock[],
  };
}

type Values = Record<
  string,
  Record<string, { selected_date_time?: number; value?: string | null; selected_options?: unknown[] }>
>;

const iso = (unix: number) => new Date(unix * 1000).toISOString().replace(/:00\.000Z$/, "Z");
const quote = (s: string) => `"${s.replace(/["\\]/g, "\\$&")}"`;

/** The form's values as the typed command line, so the command's own parser and checks judge it. */
export function formCommand(values: Values): string {
  const v = (b: string) => values[b]?.value;
  const start = v("start")?.selected_date_time;
  const backup = v("backup")?.selected_date_time;
  const window = v("window")?.value?.trim();
  const title = v("title")?.value?.trim();
  const words = ["downtime", "schedule", start ? iso(start) : ""];
  if (window) words.push(quote(`window=${window}`));
  if (backup) words.push(`backup=${iso(backup)}`);
  if (v("short_notice")?.selected_options?.length) words.push("--short-notice");
  if (title) words.push(quote(title));
  return words.join(" ");
}

/** Which field a refusal is about, to show it there. */
export function fieldOf(refusal: string): string {
  if (/backup/i.test(refusal)) return "backup";
  if (/window=|duration/i.test(refusal)) return "window";
  if (/option|title/i.test(refusal)) return "title";
  return "start";
}

export interface FormDeps {
  network: string;
  names: UserNames;
  log: Logger;
  run(msg: InboundMessage): unknown;
  /** The router's role check (undefined: allowed). */
  refusal(msg: InboundMessage): string | undefined;
}

/**
 * Opening the form (from the slash command or App Home's button) and its
 * submission. The submission is the typed `downtime schedule` command line, run
 * by the same router as the person who submitted it (the same role check, the
 * same checks of notice and backup window); a refusal comes back on the form's
 * field (`response_action: errors`) rather than as a chat message, and the form
 * stays open. Its id is the submission's trigger_id: a redelivery runs once.
 */
export function registerScheduleForm(app: App, d: FormDeps): void {
  app.action(OPEN_SCHEDULE_ACTION, async ({ ack, body, client }) => {
    await ack();
    const b = body as { trigger_id: string; user: { id: string; team_id?: string } };
    const who = slackIdentity(d.network, b.user.id, b.user.team_id, await d.names.get(b.user.id));
    // Someone without the role is told at once, not after filling the form in.
    const no = d.refusal(scheduleLine(d.network, who, b.user.id));
    if (no) {
      d.log.info({ user: b.user.id, reason: no }, "Slack: schedule form refused");
      await client.views.open({ trigger_id: b.trigger_id, view: refusedModal(no) });
      return;
    }
    await openScheduleForm(client, b.trigger_id, b.user.id);
  });
  app.view(SCHEDULE_VIEW, async ({ ack, body, view }) => {
    const b = body as unknown as { trigger_id?: string; user: { id: string; team_id?: string } };
    const channel = (JSON.parse(view.private_metadata || "{}") as { channel?: string }).channel ?? b.user.id;
    const text = formCommand(view.state.values as Values);
    const msg: InboundMessage = {
      network: d.network,
      channel,
      user: slackIdentity(d.network, b.user.id, b.user.team_id, await d.names.get(b.user.id)),
      text,
      id: `form:${b.trigger_id ?? `${view.id}:${view.hash}`}`,
      addressed: true,
      refusalShownBySender: true,
      raw: body,
    };
    const r = (await d.run(msg)) as HandleResult | undefined;
    d.log.info({ user: b.user.id, command: text, outcome: r?.outcome }, "Slack: schedule form submitted");
    if (r?.refusal) {
      await ack({ response_action: "errors", errors: { [fieldOf(r.refusal)]: r.refusal.slice(0, 2000) } });
      return;
    }
    await ack();
  });
}
