/**
 * What a terminal `columns` wide shows after the given output: the few controls a progress bar and log lines use
 * (CR, LF, cursor to column 1, erase in line, cursor save and restore, line wrapping on and off; others are
 * dropped), on a screen that grows downwards. A line longer than the terminal wraps onto the next row, as a
 * terminal does, and is given back whole (rows joined where they wrapped); with wrapping off (ESC [?7l) its end
 * overwrites the last column, as a terminal does, and is lost.
 */
export function terminalScreen(output: string, columns = Infinity): string[] {
  const rows: string[][] = [[]];
  /** Rows that continue the row above them (a wrap, not a line break). */
  const wrapped = new Set<number>();
  let row = 0;
  let col = 0;
  let saved: [number, number] = [0, 0];
  let autowrap = true;
  const controls = /\x1b\[[?\d;]*[A-Za-z]|\x1b[78]|[\r\n]|[^\x1b\r\n]+/g;
  for (const [token] of output.matchAll(controls)) {
    if (token === '\n') {
      row++;
      col = 0;
      rows[row] ??= [];
    } else if (token === '\r' || token === '\x1b[1G' || token === '\x1b[G') col = 0;
    else if (token === '\x1b7') saved = [row, col];
    else if (token === '\x1b8') [row, col] = saved;
    else if (token === '\x1b[?7l') autowrap = false;
    else if (token === '\x1b[?7h') autowrap = true;
    else if (/^\x1b\[0?K$/.test(token)) rows[row]!.length = Math.min(rows[row]!.length, col);
    else if (token === '\x1b[2K') rows[row] = [];
    else if (!token.startsWith('\x1b')) {
      for (const char of token) {
        if (col >= columns) {
          if (autowrap) {
            row++;
            col = 0;
            rows[row] = [];
            wrapped.add(row);
          } else col = columns - 1;
        }
        rows[row]![col++] = char;
      }
    }
  }
  const lines: string[] = [];
  rows.forEach((cells, i) => {
    const text = Array.from(cells, (c) => c ?? ' ').join('');
    if (wrapped.has(i) && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  });
  return lines;
}
