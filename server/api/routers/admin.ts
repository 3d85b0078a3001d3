// The admin area of the console's API.
import { router } from "../trpc";

export const adminRouter = router({});
