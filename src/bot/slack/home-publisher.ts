import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/log.js";
import type { Identity } from "../../core/messages.js";
import { platformError } from "./errors.js";
import { homeView } from "./home.js";
import { type HomeState, homeFor } from "./home-data.js";

export interface HomeOptions {
  client(): webApi.WebClient;
  log: Logger;
  /** What App Home shows now (read once for all the viewers a refresh looks at). */
  state(): Promise<HomeState>;
  /** Whether this person may schedule a downtime (the form's button is shown); default: yes. */
  maySchedule?(who: Identity): boolean;
  /** How often every open App Home is looked at again (changes no command of this process made). */
  refreshMs?: number;
  /** At most one views.publish per person per this long; a change inside it is published at its end. */
  minIntervalMs?: number;
  /** People whose App Home is kept fresh; the longest unseen is dropped past this. */
  maxViewers?: number;
}

interface Viewer {
  who: Identity;
  last?: string;
  lastAt: number;
  timer?: NodeJS.Timeout;
  busy?: Promise<void>;
}

/**
 * App Home for each person who opened it: published on app_home_opened, then
 * again whenever what it shows changes — looked at after every command this
 * process runs and every `refreshMs` — and only when it did change. Slack limits
 * views.publish per user, so one person's view is published at most once per
 * `minIntervalMs`; a change inside that is published when it ends.
 */
export class HomePublisher {
  private readonly viewers = new Map<string, Viewer>();
  private tick?: NodeJS.Timeout;

  constructor(private readonly o: HomeOptions) {}

  start(): void {
    this.tick ??= setInterval(() => this.refreshAll(), this.o.refreshMs ?? 15_000);
    this.tick.unref();
  }

  stop(): void {
    clearInterval(this.tick);
    this.tick = undefined;
    for (const v of this.viewers.values()) clearTimeout(v.timer);
    this.viewers.clear();
  }

  /** Someone opened the Home tab: publish it now (a reopen shows the latest). */
  opened(who: Identity): Promise<void> {
    const v = this.viewers.get(who.id) ?? { who, lastAt: 0 };
    this.viewers.delete(who.id);
    this.viewers.set(who.id, { ...v, who, last: undefined });
    const max = this.o.maxViewers ?? 1000;
    for (const [id, old] of this.viewers) {
      if (this.viewers.size <= max) break;
      clearTimeout(old.timer);
      this.viewers.delete(id);
    }
    return this.refresh(who.id);
  }

  refreshAll(): void {
    if (!this.viewers.size) return;
    const state = this.o.state();
    state.catch(() => {});
    for (const id of this.viewers.keys()) void this.refresh(id, state);
  }

  private refresh(id: string, state?: Promise<HomeState>): Promise<void> {
    const v = this.viewers.get(id);
    if (!v) return Promise.resolve();
    // One look at a time per person; a refresh asked meanwhile looks again after it.
    const run = (v.busy ?? Promise.resolve()).then(() => this.publish(v, state));
    v.busy = run.finally(() => {
      if (v.busy === run) v.busy = undefined;
    });
    return run;
  }

  private async publish(v: Viewer, state?: Promise<HomeState>): Promise<void> {
    if (!this.viewers.has(v.who.id)) return;
    try {
      const view = homeView(
        homeFor(await (state ?? this.o.state()), v.who, this.o.maySchedule?.(v.who) ?? true),
      );
      const json = JSON.stringify(view);
      if (json === v.last) return;
      const wait = v.lastAt + (this.o.minIntervalMs ?? 3000) - Date.now();
      if (wait > 0) {
        v.timer ??= setTimeout(() => {
          v.timer = undefined;
          void this.refresh(v.who.id);
        }, wait);
        return;
      }
      v.lastAt = Date.now();
      await this.o.client().views.publish({ user_id: v.who.id, view });
      v.last = json;
    } catch (e) {
      this.o.log.warn(
        { user: v.who.id, error: platformError(e) ?? (e as Error).message },
        "Slack: could not publish App Home",
      );
    }
  }
}
