import YAML from "yaml";
import { crdFor } from "../../server/domain/api/crd";
import { KINDS } from "../../server/domain/api/kinds";

const HEADER = "# Generated from server/domain/api by `npm run gen:crds`. Do not edit.\n";

/** file name -> YAML text of every CRD. */
export function renderCrds(): Map<string, string> {
  return new Map(KINDS.map((k) => [`${k.plural}.yaml`, HEADER + YAML.stringify(crdFor(k), { lineWidth: 0 })]));
}
