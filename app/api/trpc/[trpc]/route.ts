import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { appRouter } from "@/server/api/root";
import { createContext } from "@/server/api/context";
import { MAX_BATCH_SIZE } from "@/server/domain/requestLimits";

export const dynamic = "force-dynamic";

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    // each call may make API server calls as the person: a batch is bounded (the browser's client sends at most as many)
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: ({ resHeaders }) => createContext({ req, resHeaders }),
    // refusals (UNAUTHORIZED, FORBIDDEN, BAD_REQUEST, ...) are answers; failures (5xx: INTERNAL_SERVER_ERROR, the API
    // server unreachable, ...) go to the log with their stack
    onError: ({ error, type, path }) => {
      if (getHTTPStatusCodeFromError(error) >= 500)
        console.error(`tRPC ${type} ${path ?? "(unknown procedure)"} failed (${error.code}):`, error.cause ?? error);
    },
  });

export { handler as GET, handler as POST };
