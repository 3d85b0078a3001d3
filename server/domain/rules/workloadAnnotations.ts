// Checks of the annotations tenet reads on core objects: Pods (§5) and Services (§6). Used offline by
// `tenet validate`; the CNI plugin and svcwatcher apply the same parsers at run time.
import { INTERFACES_ANNOTATION, interfacesAnnotationValue, parseInterfacesAnnotation } from "../annotation";
import { issue, type Issue } from "../issue";
import { parseServiceAnnotations } from "../serviceAnnotations";

type Annotated = { metadata?: { annotations?: Record<string, string> } };

/** P-1: the interfaces annotation must parse (danm-spec §5). */
export function checkPodAnnotations(pod: Annotated): Issue[] {
  const parsed = parseInterfacesAnnotation(interfacesAnnotationValue(pod.metadata?.annotations));
  return parsed.ok ? [] : [issue("P-1", "Invalid", `metadata.annotations[${JSON.stringify(INTERFACES_ANNOTATION)}]`, parsed.error)];
}

/** S-1: a multi-network Service needs a JSON object selector and a network annotation (danm-spec §6). */
export function checkServiceAnnotations(service: Annotated): Issue[] {
  const parsed = parseServiceAnnotations(service.metadata?.annotations);
  return parsed.ok ? [] : [issue("S-1", "Invalid", "metadata.annotations", parsed.error)];
}
