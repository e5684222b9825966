/**
 * Runs that share a spool folder take turns with it: each use of it (reading earlier runs' files, adding to this
 * run's, resending earlier ones) holds it, so no run loses what another adds or sends a file another is sending.
 * How the spool is held (a lease file, see state/spoolLock.ts) is the caller's; this is when, and what a refusal means.
 */
import { HecSpoolError } from './hecErrors';
import type { HecLog } from './hecLog';
import { errnoCode } from '../../support/errnoCode';

/** The spool folder, held for one use. */
export interface SpoolHold {
  release(): Promise<void>;
  /** Why it is used without its lock: the folder cannot be written (EACCES, EROFS, EPERM) or its disk is full. */
  readonly notLocked?: string;
}

/** Takes the spool folder `dir`, waiting while another run uses it; rejects when it cannot. */
export type TakeSpool = (dir: string) => Promise<SpoolHold>;

export class SpoolTurns {
  /** The spool as being taken or held, while `#uses` uses of it are under way. */
  #hold: Promise<SpoolHold> | undefined;
  #uses = 0;
  #refused: HecSpoolError | undefined;
  #notLockedWarned = false;

  /** Without `take` (tests of one sink), the spool is used unguarded. */
  constructor(
    private readonly dir: string,
    private readonly take: TakeSpool | undefined,
    private readonly log: HecLog,
  ) {}

  /** Why the spool could not be taken, once it could not: nothing is read or written there after that. */
  get refused(): HecSpoolError | undefined {
    return this.#refused;
  }

  /**
   * Runs `use` with the spool held. Uses may nest or overlap: the spool is taken once and given back when the last
   * ends. Throws HecSpoolError when it cannot be taken, and again for every later use; but for an `optional` use (best
   * effort housekeeping), whose failure to take the spool is its own: later uses try to take it again.
   */
  async use<T>(use: () => Promise<T>, { optional = false }: { optional?: boolean } = {}): Promise<T> {
    const take = this.take;
    if (take === undefined) return use();
    if (this.#refused !== undefined) throw this.#refused;
    const dir = this.dir;
    this.#uses++;
    try {
      this.#hold ??= take(dir);
      let hold: SpoolHold;
      try {
        hold = await this.#hold;
      } catch (error) {
        const refusal = new HecSpoolError(`cannot use the HEC spool ${dir}: ${errnoCode(error)}`, { cause: error });
        if (!optional) this.#refused ??= refusal;
        throw this.#refused ?? refusal;
      }
      if (hold.notLocked !== undefined && !this.#notLockedWarned) {
        this.#notLockedWarned = true;
        const why = hold.notLocked === 'ENOSPC' || hold.notLocked === 'EDQUOT' ? 'its disk is full' : 'it cannot be written';
        this.log.warn(`HEC spool ${dir} is used without its lock (${hold.notLocked}): ${why}, so events HEC does not take may not be kept for the next run`);
      }
      return await use();
    } finally {
      if (--this.#uses === 0 && this.#hold !== undefined) {
        const held = this.#hold;
        this.#hold = undefined;
        // A lock left behind is taken over once this process is gone.
        await held.then(
          (hold) => hold.release().catch((error: unknown) => this.log.warn(`HEC spool ${dir}: could not give back its lock (${errnoCode(error)})`)),
          () => undefined,
        );
      }
    }
  }
}
