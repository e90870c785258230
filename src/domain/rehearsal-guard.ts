import type { Services } from "./services.js";

/**
 * A rehearsal changes nothing outside its own run: each entry point of an effect
 * on the world (a topic segment, RC mode, a downtime's state) calls this first
 * and refuses when handed a rehearsal's services. Commands are stopped at the
 * executor (exec/dispatch.ts); announcements by the rehearsal's own announcer
 * (runbook/rehearsal-world.ts).
 */
export class RehearsalRefused extends Error {
  constructor(what: string) {
    super(`a rehearsal does not change ${what}; nothing was changed`);
    this.name = "RehearsalRefused";
  }
}

export function refuseInRehearsal(s: Pick<Services, "rehearsal">, what: string): void {
  if (s.rehearsal) throw new RehearsalRefused(what);
}
