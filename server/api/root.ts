// The console's API: one router per area.
import { authRouter } from "./routers/auth";
import { liveRouter } from "./routers/live";
import { objectsRouter } from "./routers/objects";
import { router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  objects: objectsRouter,
  live: liveRouter,
});

export type AppRouter = typeof appRouter;
