import { NOT_JSON, UNSURE, skipArray, skipBlank, skipObject, skipString, skipValue, stringWasEscaped } from './jsonBytes';

/**
 * Validates one JSON object at the byte level (jsonBytes) and notes, without building anything, where the fields
 * that envelope unwrapping and normalizing read are: in the item itself, in its `detail` and `data` objects, and in
 * `detail.data`. Later duplicates of a key replace earlier ones, as in JSON.parse.
 */

/** The objects whose fields are noted. */
export const ITEM = 0;
export const DETAIL = 1; // item.detail
export const DATA = 2; // item.data
export const DETAIL_DATA = 3; // item.detail.data

/** The fields noted in each of those objects. */
export const F_TYPE = 0;
export const F_TYPE_CODE = 1;
export const F_DATE = 2;
export const F_LOG_ID = 3;
export const F__ID = 4;
export const F_ID = 5;
export const F_HOSTNAME = 6;
export const F_TENANT_NAME = 7;
export const F_CLIENT_ID = 8;
export const F_CLIENT_NAME = 9;
export const F_AUDIENCE = 10;
export const F_USER_ID = 11;
export const F_DETAIL = 12;
export const F_DATA = 13;
export const F_DETAIL_TYPE = 14;
export const F_SOURCE = 15;
export const FIELD_COUNT = 16;

/** What a noted field holds. */
export const ABSENT = 0;
export const NULL = 1;
export const STRING = 2;
export const SCALAR = 3; // number, true or false
export const OBJECT = 4;
export const ARRAY = 5;

/** Where the fields of the last scanned item are; index with `slot * FIELD_COUNT + field`. */
export class ItemFields {
  readonly kind = new Uint8Array(4 * FIELD_COUNT);
  /** For strings: the content between the quotes, [start, end). */
  readonly start = new Int32Array(4 * FIELD_COUNT);
  readonly end = new Int32Array(4 * FIELD_COUNT);
  /** For strings: 1 when the content holds a backslash escape. */
  readonly escaped = new Uint8Array(4 * FIELD_COUNT);

  /**
   * Reads the object whose '{' is at `start`, before `limit` (see jsonBytes). Returns the index just past it,
   * NOT_JSON when it is not a well-formed object on one line there, or UNSURE when it must be read another way.
   */
  scan(buf: Uint8Array, start: number, limit: number): number {
    return this.object(buf, start, limit, ITEM);
  }

  private object(buf: Uint8Array, i: number, limit: number, slot: number): number {
    clear(this.kind, slot);
    i = buf[i + 1] > 0x20 ? i + 1 : skipBlank(buf, i + 1, limit);
    if (buf[i] === 0x7d && i < limit) return i + 1;
    for (;;) {
      if (buf[i] !== 0x22 || i >= limit) return NOT_JSON;
      const keyStart = i + 1;
      i = skipString(buf, keyStart, limit);
      if (i < 0) return i;
      // An escaped key may spell a noted name; JSON.parse decodes it, so leave such items to it.
      if (stringWasEscaped()) return UNSURE;
      const field = fieldOf(buf, keyStart, i - 1);
      if (buf[i] <= 0x20) i = skipBlank(buf, i, limit);
      if (buf[i] !== 0x3a || i >= limit) return NOT_JSON;
      i = buf[i + 1] > 0x20 ? i + 1 : skipBlank(buf, i + 1, limit);
      if (i >= limit) return NOT_JSON;
      if (field < 0) {
        i = skipValue(buf, i, limit, 1);
      } else {
        i = this.value(buf, i, limit, slot, field);
      }
      if (i < 0) return i;
      if (buf[i] <= 0x20) i = skipBlank(buf, i, limit);
      if (i >= limit) return NOT_JSON;
      const c = buf[i];
      if (c === 0x7d) return i + 1;
      if (c !== 0x2c) return NOT_JSON;
      i = buf[i + 1] > 0x20 ? i + 1 : skipBlank(buf, i + 1, limit);
    }
  }

  /** The value of a noted field, at `i`. */
  private value(buf: Uint8Array, i: number, limit: number, slot: number, field: number): number {
    const at = slot * FIELD_COUNT + field;
    const c = buf[i];
    let end: number;
    let kind: number;
    if (c === 0x22) {
      end = skipString(buf, i + 1, limit);
      if (end < 0) return end;
      this.start[at] = i + 1;
      this.end[at] = end - 1;
      this.escaped[at] = stringWasEscaped() ? 1 : 0;
      kind = STRING;
    } else if (c === 0x7b) {
      const child = childSlot(slot, field);
      if (child === DETAIL) clear(this.kind, DETAIL_DATA);
      end = child < 0 ? skipObject(buf, i, limit, 2) : this.object(buf, i, limit, child);
      kind = OBJECT;
    } else if (c === 0x5b) {
      end = skipArray(buf, i, limit, 2);
      kind = ARRAY;
    } else {
      end = skipValue(buf, i, limit, 1);
      kind = c === 0x6e ? NULL : SCALAR;
    }
    if (end >= 0) this.kind[at] = kind;
    return end;
  }
}

/** Marks every field of a noted object absent (a loop: TypedArray fill is a call into a builtin). */
function clear(kind: Uint8Array, slot: number): void {
  const base = slot * FIELD_COUNT;
  for (let f = 0; f < FIELD_COUNT; f++) kind[base + f] = ABSENT;
}

/** Which noted object a field's object value is, or -1. */
function childSlot(slot: number, field: number): number {
  if (slot === ITEM) return field === F_DETAIL ? DETAIL : field === F_DATA ? DATA : -1;
  if (slot === DETAIL && field === F_DATA) return DETAIL_DATA;
  return -1;
}

/** Four bytes of a name as one number, first byte lowest (how `word` reads them). */
function wordOf(name: string): number {
  return name.charCodeAt(0) | (name.charCodeAt(1) << 8) | (name.charCodeAt(2) << 16) | (name.charCodeAt(3) << 24);
}

function word(buf: Uint8Array, at: number): number {
  return buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24);
}

// Each name as the words at 0, at 4 (when longer than 8) and ending at its end (overlapping the others): comparing
// those is comparing every byte, in three loads instead of one per byte.
const W_TYPE = wordOf('type');
const W_DATE = wordOf('date');
const W_DATA = wordOf('data');
const W_LOG = wordOf('log_');
const W_G_ID = wordOf('g_id');
const W_DETA = wordOf('deta');
const W_TAIL = wordOf('tail');
const W_SOUR = wordOf('sour');
const W_URCE = wordOf('urce');
const W_USER = wordOf('user');
const W_R_ID = wordOf('r_id');
const W_HOST = wordOf('host');
const W_NAME = wordOf('name');
const W_AUDI = wordOf('audi');
const W_ENCE = wordOf('ence');
const W_COD = wordOf('_cod');
const W_CODE = wordOf('code');
const W_CLIE = wordOf('clie');
const W_NT_I = wordOf('nt_i');
const W_T_ID = wordOf('t_id');
const W_IL_T = wordOf('il-t');
const W_TENA = wordOf('tena');
const W_NT_N = wordOf('nt_n');

/**
 * The field whose (unescaped) name is buf[start, end), or -1. Every name of 4 to 11 bytes is read as its first and
 * last word (and a middle one for 9 and 11) up front: a few loads in one place, which V8 inlines here, rather than a
 * call per comparison (this runs for every key of the noted objects).
 */
function fieldOf(buf: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length < 4) {
    if (length === 2) return buf[start] === 0x69 && buf[start + 1] === 0x64 ? F_ID : -1;
    return length === 3 && buf[start] === 0x5f && buf[start + 1] === 0x69 && buf[start + 2] === 0x64 ? F__ID : -1;
  }
  if (length > 11 || length === 5 || length === 10) return -1;
  const w = word(buf, start);
  if (length === 4) return w === W_TYPE ? F_TYPE : w === W_DATE ? F_DATE : w === W_DATA ? F_DATA : -1;
  const tail = word(buf, end - 4);
  switch (length) {
    case 6:
      if (w === W_LOG) return tail === W_G_ID ? F_LOG_ID : -1;
      if (w === W_DETA) return tail === W_TAIL ? F_DETAIL : -1;
      return w === W_SOUR && tail === W_URCE ? F_SOURCE : -1;
    case 7:
      return w === W_USER && tail === W_R_ID ? F_USER_ID : -1;
    case 8:
      if (w === W_HOST) return tail === W_NAME ? F_HOSTNAME : -1;
      return w === W_AUDI && tail === W_ENCE ? F_AUDIENCE : -1;
    case 9: {
      const middle = word(buf, start + 4);
      if (w === W_TYPE) return middle === W_COD && tail === W_CODE ? F_TYPE_CODE : -1;
      return w === W_CLIE && middle === W_NT_I && tail === W_T_ID ? F_CLIENT_ID : -1;
    }
    default: {
      const middle = word(buf, start + 4);
      if (w === W_DETA) return middle === W_IL_T && tail === W_TYPE ? F_DETAIL_TYPE : -1;
      if (w === W_TENA) return middle === W_NT_N && tail === W_NAME ? F_TENANT_NAME : -1;
      return w === W_CLIE && middle === W_NT_N && tail === W_NAME ? F_CLIENT_NAME : -1;
    }
  }
}
