// The audit area of the console's API: the trail of changes made through the console (who, what,
// when, and what the API server said), for network administrators only.
import { z } from "zod";
import { listAudit } from "../../db/audit";
import { router } from "../trpc";
import { netadminProcedure } from "./admin";
import { Kind } from "./objects";

export const AuditVerdict = z.enum(["allowed", "denied", "error"]);

export const auditRouter = router({
  /** Newest first; `before` is the `next` of the previous page. */
  list: netadminProcedure
    .input(
      z.object({
        actor: z.string().trim().max(253).optional(),
        kind: Kind.optional(),
        verdict: AuditVerdict.optional(),
        before: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => listAudit(ctx.runtime.db, input)),
});
