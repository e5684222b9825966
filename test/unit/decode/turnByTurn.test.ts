import { describe, expect, it } from '@jest/globals';
import { TurnByTurn } from '../../../src/decode/turnByTurn';

/** Resolves after `turns` turns of the event loop (each setImmediate queued in a check phase runs in the next). */
function afterTurns(turns: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : setImmediate(() => step(left - 1)));
    step(turns);
  });
}

describe('TurnByTurn', () => {
  it('handles messages in order, at most one heavy one a turn: what else waits in the loop runs between them', async () => {
    const handled: string[] = [];
    const turns = new TurnByTurn<string>((message) => handled.push(message), (message) => message.startsWith('batch'));
    // As a worker's port hands them over: all at once, in one call stack.
    for (const message of ['taken', 'batch 1', 'quarantine', 'batch 2', 'batch 3', 'done']) turns.push(message);
    // Queued behind the first turn: it runs in the same check phase, after it, and before the second.
    setImmediate(() => handled.push('other callback'));
    expect(handled).toEqual([]); // nothing in the pushing call stack
    await afterTurns(4);
    expect(handled).toEqual(['taken', 'batch 1', 'other callback', 'quarantine', 'batch 2', 'batch 3', 'done']);
  });

  it('takes messages pushed while it drains, after those already queued', async () => {
    const handled: string[] = [];
    const turns = new TurnByTurn<string>(
      (message) => {
        handled.push(message);
        if (message === 'push more') turns.push('pushed while draining');
      },
      () => false,
    );
    for (const message of ['push more', 'after']) turns.push(message);
    await afterTurns(2);
    expect(handled).toEqual(['push more', 'after', 'pushed while draining']);
  });
});
