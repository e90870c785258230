/**
 * Long-running steps say "still running … (2m)" every so often. On Slack those
 * lines edit one message per thread instead of flooding it: the adapter
 * remembers the last progress message in each job's thread until something
 * else is said there (the step's result), after which progress starts a new
 * message. Progress outside a thread is left alone: two jobs could share a channel.
 */
export class ProgressMessages {
  private readonly last = new Map<string, string>();

  constructor(private readonly max = 1000) {}

  private key(channel: string, thread: string): string {
    return `${channel}:${thread}`;
  }

  /** The progress message to edit in this thread, if there is one. */
  current(channel: string, thread: string): string | undefined {
    return this.last.get(this.key(channel, thread));
  }

  remember(channel: string, thread: string, ts: string): void {
    const k = this.key(channel, thread);
    this.last.delete(k);
    this.last.set(k, ts);
    if (this.last.size > this.max) this.last.delete(this.last.keys().next().value!);
  }

  /** Something other than progress was said in the thread. */
  forget(channel: string, thread: string): void {
    this.last.delete(this.key(channel, thread));
  }
}
