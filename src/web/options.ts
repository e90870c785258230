import type { ChatAdapter } from "../core/messages.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
import type { Services } from "../domain/services.js";

/** What the web server (server.ts) and its routes (web-app.ts) are given. */
export interface WebOptions {
  services: Services;
  /** The runbook step kinds, to describe each step of a run. */
  kinds: StepKinds;
  adapters: readonly ChatAdapter[];
  /** Networks whose outbox is measured. */
  networks: readonly string[];
  pages: boolean;
  /** Port when web.port is omitted (CHANGEBOT_WEB_PORT); 0 = a free one. */
  defaultPort?: number;
  announce?: (line: string) => void;
}
