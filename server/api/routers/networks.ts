// The networks area of the console's API.
import { router } from "../trpc";

export const networksRouter = router({});
