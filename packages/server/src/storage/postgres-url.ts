// What the server knows of a PostgreSQL URL without loading the driver: whether `--db` is one, and
// how messages show it. Kept apart from postgres-store.ts so that a server on SQLite (the default,
// and every test's and the mock's) never loads `pg` (its import took 557 ms of a start on two busy cores).

/** `--db` values that select PostgreSQL. */
export const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** Connections per server process at most, by default. N replicas need N times the pool size of `max_connections`. */
export const DEFAULT_POOL_SIZE = 10;

/** Where a URL points, for messages: `HOST:PORT/DATABASE as USER`, never the password. */
export function postgresTarget(url: string): string {
  try {
    const { hostname, port, pathname, username } = new URL(url);
    const database = decodeURIComponent(pathname.slice(1)) || "(the user's)";
    return `${hostname || 'localhost'}:${port || '5432'}/${database}${username ? ` as ${decodeURIComponent(username)}` : ''}`;
  } catch {
    return '(a URL that does not parse)';
  }
}

/** The passwords a URL carries: its own, and a `password` query parameter (the driver reads both). */
export function passwordsOf(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [decodeURIComponent(parsed.password), ...parsed.searchParams.getAll('password')].filter(Boolean);
  } catch {
    return [];
  }
}

/** A PostgreSQL URL as logs show it: its passwords masked. */
export function shownPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return 'postgres://(a URL that does not parse)';
  }
}
