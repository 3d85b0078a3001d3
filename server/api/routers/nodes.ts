// The nodes area of the console's API.
import { router } from "../trpc";

export const nodesRouter = router({});
