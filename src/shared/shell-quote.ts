/**
 * Quote one word for a POSIX shell: single quotes around it, each `'` as `'\''`. Every value the
 * SSH runtime sends to a host inside a shell line (paths, env, command, args) goes through this,
 * so no user input is ever read by the remote shell as syntax.
 */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new RangeError('a shell word cannot contain a NUL byte');
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Quote each word and join them with spaces: one command line. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/**
 * One word of a command shown for a person to copy (a hint in an error): as it is when a shell reads it so, else
 * quoted as `shellQuote` does.
 */
export function shellWord(word: string): string {
  // `/`, `:` and `,` mean nothing to a shell inside a word: a path or a URL stays as people write it.
  return /^[\w.@+,:/-]+$/.test(word) ? word : shellQuote(word);
}
