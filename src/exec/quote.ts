/**
 * An argument vector as a POSIX shell command line. SSH can only send a string,
 * which the remote user's login shell interprets, so every word is single-quoted:
 * inside single quotes nothing is special except the quote itself, written as
 * '\'' (end quote, escaped quote, reopen). Works for any POSIX shell (sh, bash,
 * dash, zsh, ksh); a csh or fish login shell is not supported.
 */
export function quoteWord(word: string): string {
  if (word.includes("\0")) throw new Error("a command word cannot contain a NUL byte");
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error("empty command");
  return argv.map(quoteWord).join(" ");
}

/** How an argv is shown in chat and logs: plain words stay plain, others are quoted. */
export function showCommand(argv: readonly string[]): string {
  return argv.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : quoteWord(w))).join(" ");
}
