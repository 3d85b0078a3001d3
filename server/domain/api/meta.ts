import { z } from "zod";

/** The part of ObjectMeta the domain reads; everything else the API server sends is kept as is. */
export const ObjectMeta = z
  .looseObject({
    name: z.string().optional().describe("Name of the object, unique within its namespace (or the cluster for cluster-scoped kinds)."),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .describe("Standard object metadata.");
export type ObjectMeta = z.infer<typeof ObjectMeta>;

export const API_GROUP = "danm.k8s.io";
export const API_VERSION = "danm.k8s.io/v1";
