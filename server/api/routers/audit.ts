// The audit area of the console's API.
import { router } from "../trpc";

export const auditRouter = router({});
