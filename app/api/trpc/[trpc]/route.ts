import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createContext } from "@/server/api/context";

export const dynamic = "force-dynamic";

const handler = (req: Request) => fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: ({ resHeaders }) => createContext({ req, resHeaders }) });

export { handler as GET, handler as POST };
