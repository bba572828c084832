import { XMLParser } from 'fast-xml-parser';

/**
 * A namespace-aware view of a parsed XML document: element names become `{namespace}local`, so that checks do not
 * depend on the prefixes a sender chose. Text content is under `#text`, attributes under `@name`.
 */
export type XmlNode = { [name: string]: XmlNode[] | string | undefined; '#text'?: string };

export class XmlError extends Error {
  override name = 'XmlError';
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
  processEntities: true,
  // No DOCTYPE may declare entities: refuse the document rather than expand anything.
  htmlEntities: false,
});

type Raw = Record<string, unknown>;

/** Namespace declarations of an element, added to those it inherits. */
function scope(raw: unknown, inherited: Record<string, string>): Record<string, string> {
  if (typeof raw !== 'object' || raw === null) return inherited;
  const ns = { ...inherited };
  for (const [key, value] of Object.entries(raw)) {
    if (key === '@xmlns') ns[''] = String(value);
    else if (key.startsWith('@xmlns:')) ns[key.slice(7)] = String(value);
  }
  return ns;
}

/** Children of `raw`, each named with the namespace its own declarations and its ancestors' give. */
function resolve(raw: Raw, ns: Record<string, string>): XmlNode {
  const node: XmlNode = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('@xmlns') || key.startsWith('?')) continue;
    if (key === '#text') node['#text'] = String(value);
    else if (key.startsWith('@')) node[`@${key.slice(1).split(':').pop()}`] = String(value);
    else {
      const colon = key.indexOf(':');
      const prefix = colon === -1 ? '' : key.slice(0, colon);
      const local = colon === -1 ? key : key.slice(colon + 1);
      for (const item of value as unknown[]) {
        const own = scope(item, ns);
        const uri = own[prefix];
        if (uri === undefined && prefix !== '')
          throw new XmlError(`Préfixe d’espace de noms non déclaré : ${prefix}.`);
        const name = `{${uri ?? ''}}${local}`;
        const resolved =
          typeof item === 'object' && item !== null ? resolve(item as Raw, own) : { '#text': String(item) };
        const list = (node[name] as XmlNode[] | undefined) ?? [];
        list.push(resolved);
        node[name] = list;
      }
    }
  }
  return node;
}

export function parseXml(text: string): XmlNode {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError('Document XML refusé : DOCTYPE interdit.');
  let raw: Raw;
  try {
    raw = parser.parse(text, true) as Raw;
  } catch (error) {
    throw new XmlError(`XML illisible : ${error instanceof Error ? error.message : String(error)}`);
  }
  return resolve(raw, {});
}

/** The only child `{ns}local` of a node, or an error naming what is missing. */
export function child(node: XmlNode, ns: string, local: string, where: string): XmlNode {
  const found = node[`{${ns}}${local}`];
  if (!Array.isArray(found) || found.length === 0) throw new XmlError(`Élément ${local} absent de ${where}.`);
  if (found.length > 1) throw new XmlError(`Élément ${local} répété dans ${where}.`);
  return found[0] as XmlNode;
}

export function children(node: XmlNode, ns: string, local: string): XmlNode[] {
  const found = node[`{${ns}}${local}`];
  return Array.isArray(found) ? found : [];
}

export function optionalText(node: XmlNode, ns: string, local: string): string | null {
  const found = children(node, ns, local);
  return found.length === 0 ? null : (found[0]?.['#text'] ?? '');
}

export function text(node: XmlNode, ns: string, local: string, where: string): string {
  return child(node, ns, local, where)['#text'] ?? '';
}

export function attribute(node: XmlNode, name: string): string | null {
  const v = node[`@${name}`];
  return typeof v === 'string' ? v : null;
}
