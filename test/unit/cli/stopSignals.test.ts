import { EventEmitter } from 'node:events';
import { exitOnStopSignalsAsInit, watchStopSignals } from '../../../src/cli/stopSignals';

// As a container's process 1 (no init), a signal whose action is the default one is ignored by the kernel:
// exitOnStopSignalsAsInit stands in for that default action, and only there.

test('as process 1: a signal no run listens for exits at once with 128 + its number', () => {
  const target = new EventEmitter();
  const exits: number[] = [];
  exitOnStopSignalsAsInit(target, 1, (code) => exits.push(code));
  target.emit('SIGTERM', 'SIGTERM');
  target.emit('SIGINT', 'SIGINT');
  expect(exits).toEqual([143, 130]);
});

test('as process 1 during a run: the first signal asks the run to finish up, the second exits at once', () => {
  const target = new EventEmitter();
  const exits: number[] = [];
  const heard: string[] = [];
  exitOnStopSignalsAsInit(target, 1, (code) => exits.push(code));
  const stop = watchStopSignals((name) => heard.push(name), target);
  target.emit('SIGTERM', 'SIGTERM');
  expect([heard, exits, stop.signal.aborted]).toEqual([['SIGTERM'], [], true]);
  target.emit('SIGTERM', 'SIGTERM');
  expect(exits).toEqual([143]);
});

test('as process 1 after a run: its handlers gone, a signal exits at once', () => {
  const target = new EventEmitter();
  const exits: number[] = [];
  exitOnStopSignalsAsInit(target, 1, (code) => exits.push(code));
  watchStopSignals(() => {}, target).dispose();
  target.emit('SIGINT', 'SIGINT');
  expect(exits).toEqual([130]);
});

test('any other process: nothing is installed, so the signal keeps its default action (death by that signal)', () => {
  const target = new EventEmitter();
  exitOnStopSignalsAsInit(target, 4242, () => {
    throw new Error('must not exit');
  });
  expect([target.listenerCount('SIGTERM'), target.listenerCount('SIGINT')]).toEqual([0, 0]);
});
