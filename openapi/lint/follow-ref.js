// Follows local `$ref`s from `node` through `document` (a Spectral function's unresolved
// document) to the node they end on; `undefined` for a cycle or a reference to nothing.
export function followRef(document, node) {
  let current = node;
  const seen = new Set();
  while (current && typeof current.$ref === 'string' && current.$ref.startsWith('#/')) {
    if (seen.has(current.$ref)) return undefined;
    seen.add(current.$ref);
    current = current.$ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((value, key) => (value == null ? undefined : value[key]), document);
  }
  return current;
}
