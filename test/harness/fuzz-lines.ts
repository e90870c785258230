import fc from "fast-check";

/**
 * Hostile chat lines for the fuzz tests and bench/fuzz.ts: a command prefix (or
 * none, or a wrong one), a real command name or a made-up word, then words of
 * garbage: quotes, unicode (astral, right-to-left, zero-width, combining), control
 * characters, IRC formatting codes, shell metacharacters, option-like words,
 * numbers and dates that are almost right; sometimes a line of 10 kB or one just
 * around the router's 4096-byte limit.
 */

/** Real commands, so garbage reaches their argument checks and not only "unknown command". */
export const COMMAND_HEADS = [
  "lpndt",
  "lpndt service-stop",
  "lpndt service-start",
  "migrate",
  "migrate start",
  "migrate start librarian-migration",
  "migrate start launchpad-db-deployment",
  "migrate start ofn-server-move",
  "migrate start copr-instance-upgrade",
  "migrate start hkn-rails-migrate-to-prod",
  "migrate plan launchpad-db-deployment",
  "migrate list",
  "migrate plan",
  "migrate ack",
  "downtime",
  "downtime schedule",
  "downtime move",
  "downtime cancel",
  "downtime start",
  "rc-mode",
  "rc-mode on",
  "rc-mode off",
  "db-budget",
  "job",
  "job log",
  "job retry",
  "job done",
  "jobs",
  "topic",
  "topic set",
  "topic add",
  "topic remove",
  "help",
  "whoami",
  "ping",
  "web login",
] as const;

const QUOTES = ['"', "'", '""', "''", '"unclosed', "'unclosed", "“", "”", "‘", "’", '\\"', "\\", "`"];
const UNICODE = [
  "\u202e", // right-to-left override
  "\u202d",
  "\u200f", // right-to-left mark
  "\u200b", // zero-width space
  "\u200c",
  "\u200d", // zero-width joiner
  "\u2060",
  "\ufeff", // byte-order mark
  "\u00a0",
  "\u3000",
  "e\u0301", // combining accent
  `a${"\u0301".repeat(40)}`,
  "𝕏",
  "👩‍👩‍👧‍👦",
  "🏳️‍🌈",
  "\u{1f600}",
  "\u{10ffff}",
  "עברית",
  "العربية",
  "日本語",
  "\ud800", // a lone surrogate
  "\udfff",
];
const IRC_CODES = [
  "\x02",
  "\x0f",
  "\x16",
  "\x1d",
  "\x1f",
  "\x1e",
  "\x11",
  "\x03",
  "\x0304",
  "\x0312,01",
  "\x0399,99",
];
const SHELL = [
  "$(rm -rf /)",
  "$(",
  ")",
  "`id`",
  "`",
  ";",
  "; reboot",
  "|",
  "| sh",
  "&&",
  "&& true",
  "||",
  ">",
  "> /etc/passwd",
  "<",
  "2>&1",
  "&",
  "*",
  "~",
  "../../",
  "${HOME}",
  "$IFS",
  "\n",
  "\r\n",
  "\\n",
  "%s%n",
  "%00",
];
const OPTIONS = [
  "-rf",
  "--version",
  "--help",
  "-h",
  "--",
  "-",
  "--rehearse",
  "--force",
  "--yes",
  "-v",
  "--at=",
  "--for",
];
const ALMOST = [
  "#42",
  "#-1",
  "#0",
  "#99999999999999999999",
  "42",
  "-1",
  "1e999",
  "NaN",
  "Infinity",
  "0x1f",
  "2026-13-45",
  "2026-02-30T25:61Z",
  "tomorrow",
  "+5m",
  "90m",
  "0m",
  "-90m",
  "99999h",
  "1h30",
  "cron-fdt",
  "service-stop",
  "librarian",
  "db-deploy",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "{}",
  "[]",
  "<!channel>",
  "<@U123>",
  "@here",
  "*bold*",
  "key=value",
  "downtime=",
  "downtime=999",
  "staging=90m",
  "=",
  "a==b",
  "--rehearse=yes",
];

const pick = (xs: readonly string[]) => fc.constantFrom(...xs);
/** One control character (C0 or DEL), any of them. */
const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));

/** One word of garbage. */
export const word: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 2, arbitrary: pick(QUOTES) },
  { weight: 2, arbitrary: pick(UNICODE) },
  { weight: 2, arbitrary: pick(IRC_CODES) },
  { weight: 1, arbitrary: fc.constant("\x7f") },
  { weight: 2, arbitrary: control },
  { weight: 3, arbitrary: pick(SHELL) },
  { weight: 2, arbitrary: pick(OPTIONS) },
  { weight: 3, arbitrary: pick(ALMOST) },
  { weight: 1, arbitrary: fc.integer().map(String) },
);

const separator = fc.oneof(
  { weight: 8, arbitrary: fc.constant(" ") },
  { weight: 1, arbitrary: pick(["  ", "\t", "", "\u00a0", "\u3000", " \u200b "]) },
);

/** Words joined by (mostly) spaces. */
const words = (max: number) =>
  fc
    .array(fc.tuple(separator, word), { maxLength: max })
    .map((ws) => ws.map(([s, w]) => `${s}${w}`).join(""));

const head = fc.oneof(
  { weight: 6, arbitrary: pick(COMMAND_HEADS) },
  { weight: 1, arbitrary: word },
  { weight: 1, arbitrary: pick(COMMAND_HEADS).map((h) => h.toUpperCase()) },
);

const prefix = fc.oneof(
  { weight: 10, arbitrary: fc.constant("!") },
  { weight: 1, arbitrary: pick(["", " !", "!!", "! ", "\u200b!", "\x02!", "！"]) },
);

/** A line as a person (or an attacker) might type it. */
export const commandLine: fc.Arbitrary<string> = fc
  .tuple(prefix, head, words(8))
  .map(([p, h, rest]) => `${p}${h}${rest}`);

/** Repeats a piece until the line is about `bytes` long (cut on a code point). */
function fill(line: string, piece: string, bytes: number): string {
  const unit = piece || "x";
  let out = line;
  while (Buffer.byteLength(out) < bytes) out += unit;
  let cut = out;
  while (Buffer.byteLength(cut) > bytes) cut = cut.slice(0, -1);
  return cut;
}

/** A long line: 10 kB, or a few bytes either side of the router's limit. */
export const longLine: fc.Arbitrary<string> = fc
  .tuple(commandLine, word, fc.constantFrom(10_240, 4_095, 4_096, 4_097, 4_200))
  .map(([line, piece, bytes]) => fill(`${line} `, `${piece} `, bytes));

/** Anything: mostly command lines, a few long ones and a few bare strings. */
export const hostileLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 16, arbitrary: commandLine },
  { weight: 1, arbitrary: longLine },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
);

/** Who says it: someone with every role, someone with a lesser one, someone with none. */
export const FUZZ_USERS = { admin: "tester", lead: "lena", nobody: "mallory" } as const;
export const sender = fc.constantFrom(...Object.values(FUZZ_USERS));

/** How many cases: CHANGEBOT_FUZZ_RUNS, else `fallback`. */
export function fuzzRuns(fallback: number, env = process.env.CHANGEBOT_FUZZ_RUNS): number {
  const n = Number(env);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
