import type { ClaimBatchMessage } from './claimBatch';
import type { DecodeStats } from './decodeStream';
import type { QuarantineBatchMessage } from './quarantineBatch';
import type { RecordBatchMessage } from './recordBatch';
import type { RecordFieldsRead } from './recordFields';
import type { WorkerAggregation } from './objectAggregator';

/**
 * Messages between the main thread and a decode worker. Each input object has a number; a worker may decode
 * several objects at once, and the messages of one worker arrive in the order they were sent. No buffer is
 * transferred either way (see InputChunkPool): record batches are copied, raw input is shared.
 */
export type ToWorker =
  | { type: 'open'; object: number; source: string; defaultTenant: string; maxItemBytes?: number; maxItemKeys?: number; quarantineItems?: number; fieldsRead?: RecordFieldsRead; aggregation?: WorkerAggregation }
  /** Raw (possibly gzipped) bytes of the object, in order, in a buffer of the main thread's InputChunkPool. */
  | { type: 'bytes'; object: number; chunk: Uint8Array<SharedArrayBuffer> }
  | { type: 'end'; object: number }
  /** Stop decoding the object and send nothing more for it. */
  | { type: 'abort'; object: number }
  /**
   * End the thread, between two messages: how the pool closes a thread. terminate() stops a thread wherever its
   * JavaScript is, and one stopped inside zlib's stream constructor (its native handle made, not yet initialized)
   * aborts the whole process as Node tears the thread down: "Assertion failed: close before init" (node_zlib.cc).
   */
  | { type: 'exit' }
  /** The main thread has handled this many more of the object's batches. */
  | { type: 'handled'; object: number; batches: number }
  /** With aggregation: the main thread has handled the object's oldest unanswered claim batch; counted[i] is 1 for
   *  each of its records that counts. */
  | { type: 'verdicts'; object: number; counted: Uint8Array };

export type FromWorker =
  | RecordBatchMessage
  /** With aggregation, in place of RecordBatchMessage: what the main thread's claims read of each record. */
  | ClaimBatchMessage
  | QuarantineBatchMessage
  /**
   * The worker has passed on this many more input bytes to its decoder: the main thread may send more. `returned`:
   * the buffers of earlier chunks the decoder has finished with (handed back to the InputChunkPool).
   */
  | { type: 'taken'; object: number; bytes: number; returned: SharedArrayBuffer[] }
  /** With aggregation: the ObjectAggregator's result, after the last batch's verdicts and before 'done'. */
  | { type: 'aggregated'; object: number; result: unknown }
  | { type: 'done'; object: number; stats: DecodeStats }
  /** The answer to 'abort': the worker has stopped decoding the object. */
  | { type: 'aborted'; object: number }
  /** The worker could not decode the object (a defect, not bad data: bad data is quarantined). */
  | { type: 'failed'; object: number; message: string };

/** Unacknowledged raw bytes sent per object before the main thread pauses its input. */
export const INPUT_WINDOW_BYTES = 4 << 20;
/** Batches (of records or of quarantine items) per object the worker may have in flight before it stops feeding
 *  its decoder. */
export const MAX_BATCHES_IN_FLIGHT = 16;
