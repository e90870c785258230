/** The fields of a check step read here (the step types live in runbook.ts, which imports this). */
interface CheckFields {
  http?: unknown;
  argv?: readonly string[];
  loop?: string;
  expect?: string;
  same?: string;
  budget?: number;
}
interface AnyStepFields {
  id: string;
  kind: string;
  argv?: readonly string[];
  loop?: string;
}
interface Problem {
  key?: string;
  problem: string;
}

/**
 * What a check step's fields alone cannot say: it checks one thing (a page, a
 * command, a loop), and what it compares the command's output with (`expect`,
 * `same`, `budget`) makes sense for that command.
 */
export function checkProblems(
  s: CheckFields,
  { steps, index }: { steps: readonly AnyStepFields[]; index: number },
): Problem[] {
  const out: Problem[] = [];
  const what = [s.http, s.argv, s.loop].filter((x) => x !== undefined).length;
  if (what !== 1) out.push({ problem: "a check needs exactly one of http:, argv: or loop:" });
  for (const key of ["expect", "same", "budget"] as const)
    if (s[key] !== undefined && !s.argv)
      out.push({ key, problem: "only a check with argv: compares output" });
  if (s.expect !== undefined) {
    try {
      new RegExp(s.expect, "m");
    } catch (e) {
      out.push({ key: "expect", problem: `not a regular expression: ${(e as Error).message}` });
    }
  }
  if (s.same !== undefined) {
    const j = steps.findIndex((x) => x.id === s.same);
    const earlier = j >= 0 && j < index ? steps[j] : undefined;
    if (earlier?.kind !== "check" || !earlier.argv)
      out.push({ key: "same", problem: `"${s.same}" is not an earlier check step with argv:` });
  }
  if (s.loop !== undefined) {
    let started = false;
    for (let j = index - 1; j >= 0; j--) {
      const x = steps[j]!;
      if ((x.kind === "loop" || x.kind === "stop-loop") && "loop" in x && x.loop === s.loop) {
        started = x.kind === "loop";
        break;
      }
    }
    if (!started)
      out.push({ key: "loop", problem: `no earlier loop step keeps a loop named "${s.loop}" running here` });
  }
  return out;
}
