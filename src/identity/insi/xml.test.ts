import { describe, expect, it } from 'vitest';
import { attribute, child, children, optionalText, parseXml, text, XmlError } from './xml.ts';

describe('namespace-aware XML reading', () => {
  it('names elements by namespace, whatever the prefixes', () => {
    const a = parseXml('<a:Root xmlns:a="urn:x"><a:Item code="1">un</a:Item><a:Item>deux</a:Item></a:Root>');
    const b = parseXml('<Root xmlns="urn:x"><Item code="1">un</Item><Item>deux</Item></Root>');
    for (const doc of [a, b]) {
      const root = child(doc, 'urn:x', 'Root', 'le document');
      expect(children(root, 'urn:x', 'Item').map((i) => i['#text'])).toEqual(['un', 'deux']);
      expect(attribute(children(root, 'urn:x', 'Item')[0] ?? {}, 'code')).toBe('1');
      expect(optionalText(root, 'urn:x', 'Absent')).toBeNull();
    }
  });

  it('names what is missing, repeated or undeclared, and refuses DOCTYPE', () => {
    const doc = parseXml('<r xmlns="urn:x"><i>1</i><i>2</i></r>');
    const root = child(doc, 'urn:x', 'r', 'le document');
    expect(() => text(root, 'urn:x', 'i', 'r')).toThrow('Élément i répété dans r.');
    expect(() => text(root, 'urn:y', 'i', 'r')).toThrow('Élément i absent de r.');
    expect(() => parseXml('<p:r/>')).toThrow('Préfixe d’espace de noms non déclaré : p.');
    expect(() => parseXml('<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>')).toThrow(
      XmlError,
    );
  });
});
