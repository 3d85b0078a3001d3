// For the webhook's integration tests: the API server's refusal of a request, as the error kubectl shows.
import { KubeError } from "../kube/errors";

/** Resolves with the KubeError `promise` fails with; throws when the API server accepted the request. */
export async function rejection(promise: Promise<unknown>): Promise<KubeError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof KubeError) return e;
    throw e;
  }
  throw new Error("expected the API server to refuse the request");
}
