// The usage area of the console's API.
import { router } from "../trpc";

export const usageRouter = router({});
