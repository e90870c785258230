/** Nick handling: another nick when ours is taken, and "changebot: help" addressing. */

/** The nick to try when ours is taken: "changebot_", then "changeb_2", "changeb_3"… (within 9 characters). */
export function altNick(nick: string, attempt: number): string {
  if (attempt <= 1) return `${nick}_`;
  const suffix = `_${attempt}`;
  return `${nick.slice(0, Math.max(1, 9 - suffix.length))}${suffix}`;
}

/**
 * "changebot: help" or "changebot, help" (any case) → "help"; undefined when the
 * line does not start by addressing one of the names.
 */
export function stripAddress(text: string, names: readonly (string | undefined)[]): string | undefined {
  for (const n of names) {
    if (!n) continue;
    const m = addressOf(n).exec(text);
    if (m) return text.slice(m[0].length);
  }
  return undefined;
}

/** The pattern of "<name>:" per name, compiled once: every channel line is checked against it. */
const addressing = new Map<string, RegExp>();

function addressOf(name: string): RegExp {
  let re = addressing.get(name);
  if (!re) {
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    re = new RegExp(`^\\s*${esc}[:,]\\s*`, "i");
    // A nick changes rarely (a collision, taken back later): the names seen stay few.
    if (addressing.size >= 32) addressing.clear();
    addressing.set(name, re);
  }
  return re;
}
