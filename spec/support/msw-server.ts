// One msw server for the fetch suites: unhandled requests are errors, handlers are set per test and reset after each.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const server = setupServer();

/** Registers listen / resetHandlers / close for the calling suite. */
export const useMswServer = (): typeof server => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
};

/** Counts the requests handlers receive, per origin; call `hit(request)` first thing in a handler. */
export const requestCounter = () => {
  const counts = new Map<string, number>();
  return {
    hit: (request: Request): void => {
      const origin = new URL(request.url).origin;
      counts.set(origin, (counts.get(origin) ?? 0) + 1);
    },
    of: (origin: string): number => counts.get(origin) ?? 0,
    total: (): number => [...counts.values()].reduce((a, b) => a + b, 0),
  };
};
