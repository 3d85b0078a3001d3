import { describe, expect, inject, it } from "vitest";
import { LeaseStore } from "../kube/leases";
import { loadKubeConfig } from "../kube/config";
import { LeaderElector } from "./leaderElection";

const cluster = inject("cluster");

describe("leader election on a real Lease", () => {
  it("one of two replicas leads; when it stops the other takes over", async () => {
    const kc = loadKubeConfig(cluster.controlPlane.kubeconfigs["tenet-controllers"]);
    const make = (id: string) =>
      new LeaderElector(new LeaseStore(kc, "tenet-system", "tenet-controllers-it"), { identity: id, onStartedLeading: () => {}, onStoppedLeading: () => {} });
    const a = make("replica-a");
    const b = make("replica-b");
    await a.tick();
    await b.tick();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    await a.stop();
    await b.tick();
    expect(b.isLeader()).toBe(true);
    const lease = await new LeaseStore(kc, "tenet-system", "tenet-controllers-it").read();
    expect(lease).toMatchObject({ holder: "replica-b", transitions: 1 });
    await b.stop();
  });
});
