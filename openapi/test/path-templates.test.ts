// Every path of the spec must be a valid RFC 6570 level-1 URI template: tools that expand or
// match paths by RFC 6570 (Dredd, uri-template libraries, gateways) refuse anything else, and
// a hyphen is not allowed in a variable name there (Partner Center's `{customer-tenant-id}` was).
import { spec } from '@usagebudget/openapi';
import { pathParameterNames, specOperations } from '@usagebudget/openapi/operations';
import { describe, expect, it } from 'vitest';

// RFC 6570 §2.3: varname = varchar *( ["."] varchar ); varchar = ALPHA / DIGIT / "_" / pct-encoded.
const VARCHAR = '(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})';
const VARNAME = new RegExp(`^${VARCHAR}(?:\\.?${VARCHAR})*$`);
// RFC 6570 §2.1: a literal is any character but CTL, SP, DQUOTE, "'", "%" (unless pct-encoded),
// "<", ">", "\", "^", "`", "{", "|" and "}".
const FORBIDDEN_IN_LITERAL = new Set([...`"'<>\\^\`{|}`]);
const isLiteral = (text: string): boolean =>
  text.split('').every((char, index) => {
    const code = char.charCodeAt(0);
    if (code <= 0x20 || code === 0x7f || FORBIDDEN_IN_LITERAL.has(char)) return false;
    return char !== '%' || /^[0-9A-Fa-f]{2}$/.test(text.slice(index + 1, index + 3));
  });

/** Why `template` is not an RFC 6570 level-1 template (`{var}` expressions only), or `undefined`. */
function level1TemplateProblem(template: string): string | undefined {
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    const literal = open === -1 ? rest : rest.slice(0, open);
    if (!isLiteral(literal)) return `the literal "${literal}" has a character RFC 6570 forbids`;
    if (open === -1) return undefined;
    const close = rest.indexOf('}', open);
    if (close === -1) return `an expression opened at "${rest.slice(open)}" is never closed`;
    const varname = rest.slice(open + 1, close);
    if (!VARNAME.test(varname)) return `{${varname}} is not a level-1 expression with a valid variable name`;
    rest = rest.slice(close + 1);
  }
  return undefined;
}

describe('the RFC 6570 level-1 check', () => {
  it.each([
    '/v1/customers/{customerTenantId}/usagebudget',
    '/v1/customers',
    '/a/{x_1}/{a.b}/{%41b}',
    '/caf%C3%A9/{id}',
  ])('accepts %s', (template) => {
    expect(level1TemplateProblem(template)).toBeUndefined();
  });

  it.each([
    '/v1/customers/{customer-tenant-id}/usagebudget',
    '/v1/{}',
    '/v1/{a..b}',
    '/v1/{.a}',
    '/v1/{+path}',
    '/v1/{a,b}',
    '/v1/{a',
    '/v1/a}b',
    '/v1/a b',
    '/v1/100%',
  ])('refuses %s', (template) => {
    expect(level1TemplateProblem(template)).toBeTypeOf('string');
  });
});

describe('the spec paths', () => {
  const paths = Object.keys(spec.paths);

  it.each(paths)('%s is an RFC 6570 level-1 template', (path) => {
    expect(level1TemplateProblem(path)).toBeUndefined();
  });

  it.each(specOperations(spec).map((operation) => [`${operation.method.toUpperCase()} ${operation.path}`, operation]))(
    '%s declares a path parameter for each of its variables',
    (_, operation) => {
      const declared = operation.parameters.filter(({ value }) => value.in === 'path').map(({ value }) => value.name);
      expect(new Set(declared)).toEqual(new Set(pathParameterNames(operation.path)));
    },
  );
});
