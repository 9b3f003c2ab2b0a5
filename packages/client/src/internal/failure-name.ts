/**
 * What a failure is called in a log line or on a span: its class and code (`ServerError 800003`),
 * never its message, whose words (a fault's description) come from the response's body.
 */
export function failureName(failure: unknown): string {
  const { name = 'Error', code } = (failure ?? {}) as { name?: string; code?: unknown };
  return code === undefined ? name : `${name} ${String(code)}`;
}
