// The users of the local cluster, listed once: the people of the demo (each gets a client
// certificate, a kubeconfig and a console account) and tenet's own components. The group of each is
// what RBAC (deploy/rbac, deploy/demo/bindings.yaml) grants to.

/** The demo's people and their group: who signs in to the console and uses kubectl. */
export const DEMO_PEOPLE = {
  netadmin: "tenet:netadmins",
  alice: "tenet:tenants",
  bob: "tenet:tenants",
  olga: "tenet:operators",
} as const;

export type DemoPerson = keyof typeof DEMO_PEOPLE;

/** The people's names, in the order they are shown. */
export const DEMO_ACCOUNTS = Object.keys(DEMO_PEOPLE) as DemoPerson[];

/** Every user the local control plane issues a certificate for (admin aside): the people, then tenet's components. */
export const DEMO_USERS: Record<string, string> = {
  ...DEMO_PEOPLE,
  "tenet-webhook": "tenet:webhook",
  "tenet-console": "tenet:console",
  "tenet-controllers": "tenet:controllers",
};
