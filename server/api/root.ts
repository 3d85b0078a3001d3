// The console's API: one router per area.
import { adminRouter } from "./routers/admin";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { liveRouter } from "./routers/live";
import { networksRouter } from "./routers/networks";
import { nodesRouter } from "./routers/nodes";
import { objectsRouter } from "./routers/objects";
import { podsRouter } from "./routers/pods";
import { usageRouter } from "./routers/usage";
import { router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  objects: objectsRouter,
  live: liveRouter,
  networks: networksRouter,
  admin: adminRouter,
  audit: auditRouter,
  usage: usageRouter,
  nodes: nodesRouter,
  pods: podsRouter,
});

export type AppRouter = typeof appRouter;
