/**
 * A small well-formedness checker and tree builder for the Simple XML the app ships: elements, attributes,
 * text, CDATA, comments, the XML declaration and the five predefined entities plus character references.
 * No DTDs, no namespaces, no processing instructions besides the declaration. Malformed input throws.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: (XmlElement | string)[];
  /** 1-based line of the start tag. */
  readonly line: number;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(raw: string, line: number): string {
  if (raw.includes('<')) throw new XmlSyntaxError(line, 'raw "<" in text or attribute value');
  return raw.replace(/&([^;\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlSyntaxError(line, `bare "&" (write &amp;) near "${whole}"`);
    if (ref in ENTITIES) return ENTITIES[ref];
    const code = /^#x([0-9a-fA-F]+)$/.exec(ref)?.[1];
    const decimal = /^#(\d+)$/.exec(ref)?.[1];
    if (code !== undefined) return String.fromCodePoint(parseInt(code, 16));
    if (decimal !== undefined) return String.fromCodePoint(Number(decimal));
    throw new XmlSyntaxError(line, `unknown entity "&${ref};"`);
  });
}

export function parseXml(text: string): XmlElement {
  let at = 0;
  const lineAt = (offset: number): number => text.slice(0, offset).split('\n').length;
  const fail = (reason: string): never => {
    throw new XmlSyntaxError(lineAt(at), reason);
  };
  const skip = (end: string, what: string): string => {
    const close = text.indexOf(end, at);
    if (close < 0) fail(`${what} is never closed`);
    const body = text.slice(at, close);
    at = close + end.length;
    return body;
  };

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  if (text.startsWith('<?xml')) skip('?>', 'the XML declaration');
  while (at < text.length) {
    const next = text.indexOf('<', at);
    const textEnd = next < 0 ? text.length : next;
    const chunk = text.slice(at, textEnd);
    if (chunk.trim() !== '') {
      if (stack.length === 0) fail('text outside the root element');
      stack[stack.length - 1].children.push(decodeText(chunk, lineAt(at)));
    }
    at = textEnd;
    if (next < 0) break;

    if (text.startsWith('<!--', at)) {
      at += 4;
      if (skip('-->', 'a comment').includes('--')) fail('"--" inside a comment');
    } else if (text.startsWith('<![CDATA[', at)) {
      at += 9;
      const data = skip(']]>', 'a CDATA section');
      if (stack.length === 0) fail('CDATA outside the root element');
      stack[stack.length - 1].children.push(data);
    } else if (text.startsWith('</', at)) {
      at += 2;
      const name = NAME.exec(text.slice(at))?.[0] ?? fail('a closing tag without a name');
      at += name.length;
      if (!/^\s*>/.test(text.slice(at))) fail(`junk in closing tag </${name}`);
      at = text.indexOf('>', at) + 1;
      const open = stack.pop();
      if (!open) fail(`</${name}> closes nothing`);
      else if (open.name !== name) fail(`</${name}> closes <${open.name}> from line ${open.line}`);
    } else {
      const line = lineAt(at);
      at += 1;
      const name = NAME.exec(text.slice(at))?.[0] ?? fail('"<" not followed by a tag name');
      at += name.length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const attribute = /^\s+([A-Za-z_][A-Za-z0-9_.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(text.slice(at));
        if (!attribute) break;
        if (attribute[1] in attributes) fail(`attribute "${attribute[1]}" twice on <${name}>`);
        attributes[attribute[1]] = decodeText(attribute[2] ?? attribute[3], line);
        at += attribute[0].length;
      }
      const end = /^\s*(\/?)>/.exec(text.slice(at)) ?? fail(`malformed start tag <${name}`);
      at += end[0].length;
      const element: XmlElement = { name, attributes, children: [], line };
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) fail(`a second root element <${name}>`);
      else root = element;
      if (end[1] !== '/') stack.push(element);
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1].name}> from line ${stack[stack.length - 1].line} is never closed`);
  return root ?? fail('no root element');
}

/** Every element named `name` under (and including) `root`, in document order. */
export function elementsNamed(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = root.name === name ? [root] : [];
  for (const child of root.children) if (typeof child !== 'string') found.push(...elementsNamed(child, name));
  return found;
}

/** The element's text content (CDATA included), children's text excluded. */
export function textOf(element: XmlElement): string {
  return element.children.filter((child): child is string => typeof child === 'string').join('');
}

/** The first child element named `name`, if any. */
export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child): child is XmlElement => typeof child !== 'string' && child.name === name);
}
