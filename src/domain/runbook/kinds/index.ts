import { BUILTIN_SCHEMAS } from "../../../config/runbook.js";
import { announceKind } from "./announce.js";
import { checkKind } from "./check.js";
import { downtimeEndKind, downtimeStartKind } from "./downtime.js";
import { localKind } from "./local.js";
import { loopKind } from "./loop.js";
import { lpndtKind } from "./lpndt.js";
import { manualKind } from "./manual.js";
import { rcModeKind } from "./rc-mode.js";
import { StepKindRegistry } from "./registry.js";
import { sshKind } from "./ssh.js";
import { stopLoopKind } from "./stop-loop.js";
import { topicKind } from "./topic.js";
import type { StepKind, StepKinds } from "./types.js";
import { waitKind } from "./wait.js";

/** The built-in step kinds: one module each, in the order of their schemas (src/config/runbook.ts). */
export const BUILTIN_KINDS: readonly StepKind[] = [
  sshKind,
  localKind,
  manualKind,
  waitKind,
  loopKind,
  stopLoopKind,
  checkKind,
  topicKind,
  announceKind,
  downtimeStartKind,
  downtimeEndKind,
  lpndtKind,
  rcModeKind,
];

/** The step kinds of a bot: the built-in ones and `extra` (each bringing its schema). */
export function stepKinds(extra: readonly StepKind[] = []): StepKinds {
  const kinds = new StepKindRegistry(BUILTIN_KINDS, extra);
  for (const schema of BUILTIN_SCHEMAS) kinds.of(schema);
  return kinds;
}

/** The built-in kinds alone. */
export const builtinStepKinds: StepKinds = stepKinds();

export type { StepKind, StepKinds };
