import { childNamed, elementsNamed, parseXml, textOf, XmlSyntaxError } from './helpers/xmlTree';

describe('parseXml', () => {
  it('builds the tree: attributes, entities, CDATA, comments, self-closing tags', () => {
    const root = parseXml(
      [
        '<?xml version="1.0"?>',
        '<form version="1.1">',
        '  <!-- a comment with <tags> -->',
        '  <label>Usage &amp; quota &#x2264; &lt;100&gt;</label>',
        '  <search><query><![CDATA[x < 1 & y > 2]]></query></search>',
        "  <view name='search' default=\"true\" />",
        '</form>',
      ].join('\n'),
    );
    expect(root.name).toBe('form');
    expect(root.attributes).toEqual({ version: '1.1' });
    expect(textOf(childNamed(root, 'label')!)).toBe('Usage & quota ≤ <100>');
    expect(textOf(elementsNamed(root, 'query')[0])).toBe('x < 1 & y > 2');
    expect(childNamed(root, 'view')!.attributes).toEqual({ name: 'search', default: 'true' });
    expect(childNamed(root, 'view')!.line).toBe(6);
  });

  it.each([
    ['a mismatched closing tag', '<a>\n<b></a>', 2, '</a> closes <b> from line 2'],
    ['an unclosed element', '<a>\n<b>\n</b>', 3, '<a> from line 1 is never closed'],
    ['a bare ampersand', '<a>x & y</a>', 1, 'bare "&"'],
    ['an unknown entity', '<a>&nbsp;</a>', 1, 'unknown entity "&nbsp;"'],
    ['a raw "<" in an attribute', '<a b="<"/>', 1, 'raw "<" in text or attribute value'],
    ['an unquoted attribute', '<a b=1/>', 1, 'malformed start tag <a'],
    ['two root elements', '<a/><b/>', 1, 'a second root element <b>'],
    ['a duplicate attribute', '<a b="1" b="2"/>', 1, 'attribute "b" twice'],
    ['an unclosed CDATA section', '<a><![CDATA[x</a>', 1, 'a CDATA section is never closed'],
    ['text outside the root', '<a/>tail', 1, 'text outside the root element'],
  ])('rejects %s', (_label, text, line, message) => {
    let caught: unknown;
    try {
      parseXml(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(XmlSyntaxError);
    expect((caught as XmlSyntaxError).line).toBe(line);
    expect((caught as Error).message).toContain(message);
  });
});
