"use client";
// The draft of a network editor (DanmNet, ClusterNetwork, TenantNetwork): the one form model of
// server/domain/forms with its rules run as the person types, the cluster's dry run and save, and
// every message placed on the field it concerns.
import { useMutation } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { errorCauses } from "@/components/errors";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import type { NetworkKind, NetworkObject } from "@/server/domain/api/network";
import {
  emptyNetworkForm,
  formFromNetwork,
  placeCauses,
  placeIssues,
  validateNetworkForm,
  type MessagePlace,
  type NetworkForm,
  type PlacedMessage,
} from "@/server/domain/forms/networkForm";
import { useDraft } from "./useDraft";

function build(form: NetworkForm, latest: NetworkObject | undefined) {
  const v = validateNetworkForm(form, latest);
  return { ...v, blocked: v.issues.length > 0 };
}

export function useNetworkDraft({
  kind,
  namespace,
  stored,
  checkAsYouType,
}: {
  kind: NetworkKind;
  namespace?: string;
  stored?: NetworkObject;
  checkAsYouType: boolean;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const draft = useDraft({
    stored,
    draftOf: (s: NetworkObject | undefined) => (s ? formFromNetwork(s) : emptyNetworkForm(kind, namespace)),
    build,
    dryRun: (object) => (stored ? client.objects.replace : client.objects.create).mutate({ kind, object: object as Record<string, unknown>, dryRun: true }),
    checkAsYouType,
  });
  const save = useMutation((stored ? trpc.objects.replace : trpc.objects.create).mutationOptions());
  // the form's issues show once a field was touched, all of them once a save was tried
  const [touched, setTouched] = useState<ReadonlySet<MessagePlace>>(new Set());
  const [showAll, setShowAll] = useState(false);
  // asked on demand, the cluster's verdict was about the old value of a field edited since: not shown there
  const [editedSinceAnswer, setEdited] = useState<ReadonlySet<MessagePlace>>(new Set());
  const touch = useCallback((place: MessagePlace) => setTouched((t) => (t.has(place) ? t : new Set(t).add(place))), []);

  function update<K extends keyof NetworkForm>(key: K, value: NetworkForm[K]) {
    draft.edit((f) => ({ ...f, [key]: value }));
    const place = key === "device" ? "deviceName" : key === "vniType" ? "vni" : (key as MessagePlace);
    touch(place);
    setEdited((e) => new Set(e).add(place));
    if (checkAsYouType && save.error) save.reset();
  }

  const clusterError = save.error ?? (draft.check.state === "refused" ? draft.check.error : undefined);
  const local = placeIssues(draft.built.issues, draft.draft).filter((m) => showAll || touched.has(m.place));
  const cluster = placeCauses(errorCauses(clusterError), draft.draft).filter((m) => checkAsYouType || !editedSinceAnswer.has(m.place));
  const messages: PlacedMessage[] = [...local, ...cluster];
  /** The messages of these places (a field and its parts). */
  const at = (...places: MessagePlace[]) => messages.filter((m) => places.includes(m.place));

  /** Shows every issue; false when the browser already sees problems and the cluster is not asked. */
  function ready(): boolean {
    setShowAll(true);
    setEdited(new Set());
    return !draft.built.blocked;
  }

  return {
    ...draft,
    form: draft.draft,
    update,
    touch,
    at,
    save,
    clusterError,
    clusterCauses: cluster,
    ready,
    object: draft.built.object as NetworkObject,
    problems: draft.built.issues.length,
    showAll,
  };
}
