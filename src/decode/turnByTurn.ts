/**
 * Messages handled in the order they came, at most one heavy one a turn of the event loop. A worker's port hands all
 * the messages queued at once to its listener in one go; a batch of records takes milliseconds (seconds when each
 * record reads its day back from a scratch file), so a dozen queued batches held the loop for minutes, and a
 * SIGTERM's handler, which runs in the loop, waited for all of them. Between two heavy messages the loop now turns:
 * signals, timers and I/O get their turn.
 */
export class TurnByTurn<T> {
  private queue: T[] = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly handle: (message: T) => void,
    private readonly isHeavy: (message: T) => boolean,
  ) {}

  push(message: T): void {
    this.queue.push(message);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.drain);
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    try {
      while (this.head < this.queue.length) {
        const message = this.queue[this.head]!;
        this.head++;
        this.handle(message);
        if (this.isHeavy(message)) break;
      }
    } finally {
      if (this.head < this.queue.length) this.schedule();
      else {
        this.queue = [];
        this.head = 0;
      }
    }
  };
}
