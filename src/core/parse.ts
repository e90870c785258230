import { UsageError } from "./errors.js";

/**
 * Splits a command line into words. Single or double quotes group words
 * ('cron fdt' is one word); a backslash inside double quotes escapes the next
 * character. Nothing else is special: no variables, no globbing, no shell.
 */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const chars = [...line];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (quote === '"' && c === "\\" && i + 1 < chars.length) cur += chars[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/u.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new UsageError(`unclosed ${quote === '"' ? "double" : "single"} quote`);
  if (inWord) words.push(cur);
  return words;
}

export interface ParsedCommand {
  /** "rc-mode" for "!rc-mode on". Lower-cased. */
  family: string;
  /** The words after the family. */
  args: string[];
}

/**
 * A command if the text starts with the prefix, or if the bot was addressed
 * (DM, mention, "changebot: …"). Returns undefined for ordinary chat.
 */
export function parseCommand(text: string, prefix: string, addressed = false): ParsedCommand | undefined {
  let body = text.trim();
  if (body.startsWith(prefix)) body = body.slice(prefix.length);
  else if (!addressed) return undefined;
  if (!body || /^\s/u.test(body)) return undefined;
  const words = tokenize(body);
  const [family, ...args] = words;
  if (!family) return undefined;
  return { family: family.toLowerCase(), args };
}

/** "key=value" words → a record; other words are left in rest. */
export function keyValues(words: readonly string[]): { kv: Record<string, string>; rest: string[] } {
  const kv: Record<string, string> = {};
  const rest: string[] = [];
  for (const w of words) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/su.exec(w);
    if (m) kv[m[1]!] = m[2]!;
    else rest.push(w);
  }
  return { kv, rest };
}
