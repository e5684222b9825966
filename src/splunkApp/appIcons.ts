/**
 * The app's icons: a bar chart on Auth0's orange for light backgrounds (appIcon*) and the same chart in
 * white on a transparent background for dark ones (appIconAlt*), at 36 px and 72 px (the _2x files for
 * high-density screens), the four files Splunk looks for in static/.
 * Shapes are laid out on a 36-unit grid and sampled at each pixel's centre, so the 72 px icons are the
 * 36 px ones drawn twice as fine.
 */
import { encodePng } from './pngImage';

export interface AppIcon {
  readonly file: string;
  readonly size: number;
  readonly variant: 'light' | 'dark';
}

export const APP_ICONS: readonly AppIcon[] = [
  { file: 'appIcon.png', size: 36, variant: 'light' },
  { file: 'appIcon_2x.png', size: 72, variant: 'light' },
  { file: 'appIconAlt.png', size: 36, variant: 'dark' },
  { file: 'appIconAlt_2x.png', size: 72, variant: 'dark' },
];

const GRID = 36;
const CORNER_RADIUS = 6;
/** Left, right and top of each bar on the grid; all stand on the same baseline. */
const BARS = [
  { left: 7, right: 13, top: 20 },
  { left: 15, right: 21, top: 14 },
  { left: 23, right: 29, top: 8 },
];
const BASELINE = 28;

type Rgba = readonly [number, number, number, number];
const AUTH0_ORANGE: Rgba = [0xeb, 0x54, 0x24, 0xff];
const WHITE: Rgba = [0xff, 0xff, 0xff, 0xff];
const TRANSPARENT: Rgba = [0, 0, 0, 0];

function insideRoundedSquare(x: number, y: number): boolean {
  const cx = Math.min(Math.max(x, CORNER_RADIUS), GRID - CORNER_RADIUS);
  const cy = Math.min(Math.max(y, CORNER_RADIUS), GRID - CORNER_RADIUS);
  return (x - cx) ** 2 + (y - cy) ** 2 <= CORNER_RADIUS ** 2;
}

function onBar(x: number, y: number): boolean {
  return y < BASELINE && BARS.some((bar) => x >= bar.left && x < bar.right && y >= bar.top);
}

function colourAt(x: number, y: number, variant: AppIcon['variant']): Rgba {
  if (onBar(x, y)) return WHITE;
  return variant === 'light' && insideRoundedSquare(x, y) ? AUTH0_ORANGE : TRANSPARENT;
}

/** The RGBA pixels of one icon, row by row. */
export function drawIcon(size: number, variant: AppIcon['variant']): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const scale = GRID / size;
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      Buffer.from(colourAt((px + 0.5) * scale, (py + 0.5) * scale, variant)).copy(pixels, (py * size + px) * 4);
    }
  }
  return pixels;
}

/** The PNG file of one icon. */
export function iconPng(icon: AppIcon): Buffer {
  return encodePng(icon.size, icon.size, drawIcon(icon.size, icon.variant));
}
