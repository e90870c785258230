/** An announcement target as written in the config: "irc:#chan", "slack:C0123", "console:console", "webhook:https://…". */
export interface Target {
  network: string;
  target: string;
}

export function parseTarget(spec: string): Target {
  const i = spec.indexOf(":");
  return { network: spec.slice(0, i), target: spec.slice(i + 1) };
}

export const formatTarget = (t: Target) => `${t.network}:${t.target}`;
