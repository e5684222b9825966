import { fixedShapeBytesMs, parseIsoDate } from './isoDate';
import {
  ABSENT, ARRAY, DATA, DETAIL, DETAIL_DATA, FIELD_COUNT, F_AUDIENCE, F_CLIENT_ID, F_CLIENT_NAME, F_DATA, F_DATE, F_DETAIL,
  F_DETAIL_TYPE, F_HOSTNAME, F_ID, F_LOG_ID, F_SOURCE, F_TENANT_NAME, F_TYPE, F_TYPE_CODE, F_USER_ID, F__ID, ITEM,
  ItemFields, NULL, OBJECT, STRING,
} from './itemFields';
import { NOT_JSON, stringBitmapBuffer } from './jsonBytes';
import { stringBitmap } from './stringBitmap';
import type { LogRecord } from './logRecord';
import { tenantOf } from './normalize';
import { ALL_FIELDS, CLIENT_FIELDS, FieldsOfType, type RecordFieldsRead, USER_ID_FIELD } from './recordFields';
import { FastRecordTables } from './fastRecordTables';
import { SlotStrings } from './slotStrings';
import { CACHE_SLOTS, NOT_CACHED, definedSlot } from './spanCache';

/** FastRecordReader.read: the item is well-formed but must be read the general way (or it is not a usable record). */
export const DECLINED = -2;

// A module constant for the per-record check: inside a vm context (Jest) each global look-up is slow.
const { isFinite: isFiniteNumber } = Number;
const NO_BYTES = Buffer.alloc(0);
const EVENTBRIDGE_DETAIL_TYPE = Buffer.from('Auth0 log');
const EVENTBRIDGE_SOURCE_PREFIX = Buffer.from('aws.partner/auth0.com');

export const LOG_ID_NONE = 0;
export const LOG_ID_BYTES = 1;
export const LOG_ID_TEXT = 2;

/** The LogRecord string fields a FastRecordReader delivers as refs/spans/texts, in this order. */
export const RECORD_STRING_FIELDS = ['type', 'tenant', 'hostname', 'clientId', 'clientName', 'audience', 'userId'] as const;

/** A field's ref when its value is a string in `texts` (decoded escapes, the default tenant), not bytes of the item. */
export const FIELD_TEXT = -(CACHE_SLOTS + 2);
/** A field's ref when its value is "" (missing, not a string, or empty): nothing to look up or send. */
export const FIELD_EMPTY = -(CACHE_SLOTS + 3);

/**
 * A field whose values rarely repeat (a large tenant's user ids) gains nothing from the SpanCache: every look-up
 * misses, costs a hash and a key copy, and evicts the values that do repeat (clients, hosts). So each field's misses
 * are counted over windows of CACHE_WINDOW look-ups; after a window with more than 7/8 misses, the field's next
 * CACHE_BYPASS values go uncached (sent as bytes, as a miss would be), then a window is tried again.
 */
export const CACHE_WINDOW = 4096;
export const CACHE_BYPASS = 16 * CACHE_WINDOW;
const CACHE_BYPASS_MISSES = (CACHE_WINDOW * 7) / 8;

/**
 * The decode fast path for one object: validates it at the byte level and reads its record straight from the
 * bytes of the few fields it needs. It mirrors decodeItem (envelope.ts + normalize.ts) rule for rule, and declines
 * whatever those rules would reject or that it does not read the same way for certain (escaped keys, a one-element
 * `detail-type` array, deep nesting), so every record it reads is the one decodeItem(JSON.parse(text)) gives.
 */
export class FastRecordReader {
  /** The last record read: its time and log_id (see logIdText; null when it has none) ... */
  dateMs = 0;
  /** LOG_ID_NONE, LOG_ID_BYTES (the id is the UTF-8 text of buf[logIdStart, logIdEnd)) or LOG_ID_TEXT (logIdText). */
  logIdKind = LOG_ID_NONE;
  logIdStart = 0;
  logIdEnd = 0;
  logIdText = '';
  /**
   * ... and its string fields, in RECORD_STRING_FIELDS order: each is FIELD_EMPTY, FIELD_TEXT (the value is
   * `texts[k]`) or the SpanCache look-up result of its UTF-8 bytes, buf[spanStarts[k], spanEnds[k]). Nothing here
   * decodes those bytes: whoever needs the strings does (toLogRecord here, RecordBatchReader for a worker's batches).
   */
  readonly refs = new Int32Array(RECORD_STRING_FIELDS.length);
  readonly spanStarts = new Int32Array(RECORD_STRING_FIELDS.length);
  readonly spanEnds = new Int32Array(RECORD_STRING_FIELDS.length);
  readonly texts: string[] = RECORD_STRING_FIELDS.map(() => '');
  private readonly fields = new ItemFields();
  /** The SpanCache and the notes by slot, kept by the thread from object to object (see release()). */
  private readonly tables = FastRecordTables.take();
  private released = false;
  /** Per string field: look-ups and misses in the current window, and values left to send uncached. */
  private readonly lookUps = new Int32Array(RECORD_STRING_FIELDS.length);
  private readonly misses = new Int32Array(RECORD_STRING_FIELDS.length);
  private readonly uncached = new Int32Array(RECORD_STRING_FIELDS.length);
  /** The fields read of each type (null: all of every type); the mask of each type slot is in `tables`. */
  private readonly fieldsOfType: FieldsOfType | null;
  private buf: Buffer = NO_BYTES;

  /** `fieldsRead`: the records' reader uses only these (see RecordFieldsRead); the others are left out. */
  constructor(
    private readonly defaultTenant: string,
    fieldsRead?: RecordFieldsRead,
  ) {
    this.fieldsOfType = fieldsRead === undefined ? null : new FieldsOfType(fieldsRead);
  }

  /**
   * Reads the object whose '{' is at `start`, before `limit` (the index of a '"' or a line feed; see
   * JsonValueScanner's fastObject). Returns the index just past it when it is a usable record (now in this reader's
   * fields), NOT_JSON when the bytes before `limit` do not hold a well-formed object on one line, DECLINED otherwise,
   * also when it is longer than `maxLength` bytes: then it is declined before any of its values enters the string
   * cache, since whoever reads the records never sees the slot fills of a record that was not handed over.
   */
  read(buf: Buffer, start: number, limit: number, maxLength = Infinity): number {
    if (this.released) throw new Error('FastRecordReader.read() after release()');
    if (buf !== stringBitmapBuffer()) stringBitmap.mark(buf);
    const end = this.fields.scan(buf, start, limit);
    if (end === NOT_JSON) return NOT_JSON;
    if (end < 0 || end - start > maxLength) return DECLINED;
    this.buf = buf;
    const ok = this.build();
    this.buf = NO_BYTES; // do not keep the chunk alive
    return ok ? end : DECLINED;
  }

  /** Gives the tables back for the thread's next object; the reader reads nothing more. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.tables.give();
    stringBitmap.forget(); // the object's last chunk, kept alive by its mark
  }

  /** The log_id of the last record read; `buf` is the buffer that read() was given. */
  logId(buf: Buffer): string | null {
    if (this.logIdKind === LOG_ID_BYTES) return buf.toString('utf8', this.logIdStart, this.logIdEnd);
    return this.logIdKind === LOG_ID_TEXT ? this.logIdText : null;
  }

  /** The last record read, as a LogRecord; `buf` is the buffer that read() was given. `withLogId`: false leaves
   *  logId null (for a reader that has the id's hash already). */
  toLogRecord(buf: Buffer, withLogId = true): LogRecord {
    return {
      logId: withLogId ? this.logId(buf) : null, dateMs: this.dateMs, type: this.stringOf(0, buf), tenant: this.stringOf(1, buf), hostname: this.stringOf(2, buf),
      clientId: this.stringOf(3, buf), clientName: this.stringOf(4, buf), audience: this.stringOf(5, buf), userId: this.stringOf(6, buf),
    };
  }

  /** String field `k` of the last record read. A slot's text is reused only if decoded since the slot's last fill:
   *  records read without a toLogRecord may have refilled it. */
  private stringOf(k: number, buf: Buffer): string {
    const ref = this.refs[k];
    if (ref === FIELD_EMPTY) return '';
    if (ref === FIELD_TEXT) return this.texts[k];
    if (ref === NOT_CACHED) return buf.toString('utf8', this.spanStarts[k], this.spanEnds[k]);
    const tables = this.tables;
    const strings = (tables.slotStrings ??= new SlotStrings());
    const slot = ref >= 0 ? ref : definedSlot(ref);
    const fill = tables.spans.fills[slot];
    if (ref >= 0 && tables.slotStringFills[slot] === fill) return strings.get(slot);
    tables.slotStringFills[slot] = fill;
    return strings.fill(slot, buf, this.spanStarts[k], this.spanEnds[k]);
  }

  private build(): boolean {
    const kind = this.fields.kind;
    let slot = -1;
    let outerLogId = -1; // index of the envelope's log_id field, -1 for none
    if (kind[ITEM * FIELD_COUNT + F_DETAIL] === OBJECT) {
      const eventBridge = this.isEventBridge();
      if (eventBridge === null) return false;
      if (eventBridge) {
        if (kind[DETAIL * FIELD_COUNT + F_DATA] === OBJECT) {
          slot = DETAIL_DATA;
          outerLogId = DETAIL * FIELD_COUNT + F_LOG_ID;
        } else {
          slot = DETAIL;
        }
      }
    }
    if (slot < 0) {
      const webhook =
        kind[ITEM * FIELD_COUNT + F_DATA] === OBJECT && kind[ITEM * FIELD_COUNT + F_TYPE] === ABSENT && kind[ITEM * FIELD_COUNT + F_TYPE_CODE] === ABSENT;
      slot = webhook ? DATA : ITEM;
      if (webhook) outerLogId = ITEM * FIELD_COUNT + F_LOG_ID;
    }
    return this.normalize(slot * FIELD_COUNT, outerLogId);
  }

  /** unwrapEnvelope's isEventBridgeEvent; null when it cannot tell here (detail-type is an array). */
  private isEventBridge(): boolean | null {
    const fields = this.fields;
    const detailType = ITEM * FIELD_COUNT + F_DETAIL_TYPE;
    const detailTypeKind = fields.kind[detailType];
    if (detailTypeKind === ARRAY) return null;
    if (detailTypeKind === STRING && this.stringEquals(detailType, EVENTBRIDGE_DETAIL_TYPE, false)) return true;
    const source = ITEM * FIELD_COUNT + F_SOURCE;
    return fields.kind[source] === STRING && this.stringEquals(source, EVENTBRIDGE_SOURCE_PREFIX, true);
  }

  /** Whether string field `at` equals `expected` (or starts with it); both are compared as decoded text. */
  private stringEquals(at: number, expected: Buffer, prefix: boolean): boolean {
    const fields = this.fields;
    if (fields.escaped[at] === 1) {
      const text = this.text(at);
      const wanted = expected.toString('latin1');
      return prefix ? text.startsWith(wanted) : text === wanted;
    }
    const start = fields.start[at];
    const length = fields.end[at] - start;
    if (prefix ? length < expected.length : length !== expected.length) return false;
    for (let k = 0; k < expected.length; k++) if (this.buf[start + k] !== expected[k]) return false;
    return true;
  }

  /** normalizeRecord for the record whose fields start at `base`; false when it would reject it. */
  private normalize(base: number, outerLogId: number): boolean {
    let typeAt = base + F_TYPE_CODE;
    if (!this.nonEmptyString(typeAt)) typeAt = base + F_TYPE;
    if (!this.nonEmptyString(typeAt)) return false;

    const dateMs = this.dateOf(base + F_DATE);
    if (!isFiniteNumber(dateMs)) return false;

    let idAt = base + F_LOG_ID;
    if (!this.present(idAt)) idAt = outerLogId;
    if (idAt < 0 || !this.present(idAt)) idAt = base + F__ID;
    if (!this.present(idAt)) idAt = base + F_ID;
    this.logIdKind = LOG_ID_NONE;
    if (this.present(idAt)) {
      const fields = this.fields;
      if (fields.kind[idAt] !== STRING) return false;
      if (fields.escaped[idAt] === 1) {
        this.logIdKind = LOG_ID_TEXT;
        this.logIdText = this.text(idAt);
      } else {
        this.logIdKind = LOG_ID_BYTES;
        this.logIdStart = fields.start[idAt];
        this.logIdEnd = fields.end[idAt];
      }
    }

    this.dateMs = dateMs;
    this.setString(0, typeAt);
    // Before the other fields' look-ups: one of them may take the type's cache slot, and the mask noted for the
    // slot must be the type's, under the fill the type made or found.
    const fields = this.fieldsOfType === null ? ALL_FIELDS : this.fieldsOf(typeAt);
    this.setTenant(base + F_TENANT_NAME, base + F_HOSTNAME);
    this.setString(2, base + F_HOSTNAME);
    if ((fields & CLIENT_FIELDS) !== 0) {
      this.setString(3, base + F_CLIENT_ID);
      this.setString(4, base + F_CLIENT_NAME);
      this.setString(5, base + F_AUDIENCE);
    } else {
      this.refs[3] = this.refs[4] = this.refs[5] = FIELD_EMPTY;
    }
    this.refs[6] = FIELD_EMPTY;
    if ((fields & USER_ID_FIELD) !== 0) this.setString(6, base + F_USER_ID);
    return true;
  }

  /**
   * FieldsOfType's mask for the type just set (field `at`, output string 0). Types repeat: the mask is kept with
   * the type's cache slot, until the slot is filled again, so that a type's text is decoded once.
   */
  private fieldsOf(at: number): number {
    const ref = this.refs[0];
    if (ref === FIELD_TEXT) return this.fieldsOfType!.of(this.texts[0]);
    if (ref === NOT_CACHED) return this.fieldsOfType!.of(this.text(at));
    const slot = ref >= 0 ? ref : definedSlot(ref);
    const tables = this.tables;
    const fill = tables.spans.fills[slot];
    if (tables.slotFieldsFills[slot] !== fill) {
      tables.slotFields[slot] = this.fieldsOfType!.of(this.text(at));
      tables.slotFieldsFills[slot] = fill;
    }
    return tables.slotFields[slot];
  }

  private dateOf(at: number): number {
    const fields = this.fields;
    if (fields.kind[at] !== STRING) return NaN;
    if (fields.escaped[at] === 0) {
      const ms = fixedShapeBytesMs(this.buf, fields.start[at], fields.end[at]);
      if (ms === ms) return ms;
    }
    return parseIsoDate(this.text(at));
  }

  /** normalize.ts's `present`: not missing, null or "" (an escaped string is never empty). */
  private present(at: number): boolean {
    const fields = this.fields;
    const kind = fields.kind[at];
    if (kind === ABSENT || kind === NULL) return false;
    return kind !== STRING || fields.escaped[at] === 1 || fields.end[at] > fields.start[at];
  }

  private nonEmptyString(at: number): boolean {
    const fields = this.fields;
    return fields.kind[at] === STRING && (fields.escaped[at] === 1 || fields.end[at] > fields.start[at]);
  }

  /** Output string `k`: field `at` when it is a string, else "" (normalize.ts's stringOr). */
  private setString(k: number, at: number): void {
    const fields = this.fields;
    if (fields.kind[at] !== STRING) {
      this.refs[k] = FIELD_EMPTY;
      return;
    }
    if (fields.escaped[at] === 1) return this.setText(k, this.text(at));
    this.setSpan(k, fields.start[at], fields.end[at]);
  }

  /** normalize.ts's tenantOf: a non-empty tenant_name, else the first label of the hostname, else the default. */
  private setTenant(tenantAt: number, hostAt: number): void {
    const fields = this.fields;
    if (this.nonEmptyString(tenantAt)) return this.setString(1, tenantAt);
    if (fields.kind[hostAt] !== STRING) return this.setText(1, this.defaultTenant);
    if (fields.escaped[hostAt] === 1) return this.setText(1, tenantOf(undefined, this.text(hostAt), this.defaultTenant));
    // '.' is ASCII, so the first '.' byte is the first '.' of the decoded hostname.
    const start = fields.start[hostAt];
    let dot = start;
    while (dot < fields.end[hostAt] && this.buf[dot] !== 0x2e) dot++;
    if (dot === start) return this.setText(1, this.defaultTenant);
    this.setSpan(1, start, dot);
  }

  private setSpan(k: number, start: number, end: number): void {
    if (start === end) {
      this.refs[k] = FIELD_EMPTY;
      return;
    }
    this.spanStarts[k] = start;
    this.spanEnds[k] = end;
    if (this.uncached[k] > 0) {
      this.uncached[k]--;
      this.refs[k] = NOT_CACHED;
      return;
    }
    const ref = this.tables.spans.lookUp(this.buf, start, end);
    this.refs[k] = ref;
    if (ref < 0) this.misses[k]++;
    if (++this.lookUps[k] === CACHE_WINDOW) {
      if (this.misses[k] > CACHE_BYPASS_MISSES) this.uncached[k] = CACHE_BYPASS;
      this.lookUps[k] = 0;
      this.misses[k] = 0;
    }
  }

  private setText(k: number, text: string): void {
    this.refs[k] = FIELD_TEXT;
    this.texts[k] = text;
  }

  /** The decoded text of string field `at`. */
  private text(at: number): string {
    const { start, end } = this.fields;
    if (this.fields.escaped[at] === 1) return JSON.parse(this.buf.toString('utf8', start[at] - 1, end[at] + 1)) as string;
    return this.buf.toString('utf8', start[at], end[at]);
  }
}
