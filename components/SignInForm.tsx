"use client";
// Sign in with a console account, or with a Kubernetes bearer token (checked with TokenReview).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { errorMessage } from "@/components/errors";
import { safeNextPath, signInErrorMessage } from "@/server/domain/signIn/redirect";

export function SignInForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const [method, setMethod] = useState<"local" | "token">("local");
  const methods = useQuery(trpc.auth.methods.queryOptions());
  // only known codes: the address bar is anyone's to write
  const redirectError = signInErrorMessage(params.get("error"));
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [token, setToken] = useState("");
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: () => {
        // forget what the signed-out browser cached (auth.me = null would send the shell straight back here)
        queryClient.clear();
        router.replace(safeNextPath(params.get("next")));
      },
    }),
  );
  return (
    <div className="flex min-h-screen items-center justify-center">
      <form
        className="w-96 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
        onSubmit={(e) => {
          e.preventDefault();
          signIn.mutate(method === "local" ? { method, name, password } : { method, token });
        }}
      >
        <h1 className="text-xl font-semibold">Sign in to tenet</h1>
        <div className="mt-4 flex gap-2 text-sm" role="tablist">
          {(["local", "token"] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={method === m}
              className={`rounded px-2 py-1 ${method === m ? "bg-slate-900 text-white" : "bg-slate-100"}`}
              onClick={() => setMethod(m)}
            >
              {m === "local" ? "Console account" : "Kubernetes token"}
            </button>
          ))}
        </div>
        {method === "local" ? (
          <>
            <label className="mt-4 block text-sm font-medium" htmlFor="name">
              Account
            </label>
            <input
              id="name"
              name="username"
              autoComplete="username"
              className="mt-1 w-full rounded border border-slate-300 px-2 py-1"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
            />
            <label className="mt-3 block text-sm font-medium" htmlFor="password">
              Password
            </label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              className="mt-1 w-full rounded border border-slate-300 px-2 py-1"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </>
        ) : (
          <>
            <label className="mt-4 block text-sm font-medium" htmlFor="token">
              Bearer token
            </label>
            <textarea
              id="token"
              className="mt-1 h-24 w-full rounded border border-slate-300 px-2 py-1 font-mono text-xs"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              required
            />
            <p className="mt-1 text-xs text-slate-500">
              For example <code>kubectl create token my-sa</code>. The API server checks it (TokenReview); the console keeps only who it belongs to.
            </p>
          </>
        )}
        {redirectError && !signIn.isError && (
          <p role="alert" className="mt-3 text-sm text-red-700">
            {redirectError}
          </p>
        )}
        {signIn.isError && (
          <p role="alert" className="mt-3 text-sm text-red-700">
            {errorMessage(signIn.error)}
          </p>
        )}
        <button type="submit" disabled={signIn.isPending} className="mt-4 w-full rounded bg-slate-900 py-1.5 text-white disabled:opacity-50">
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
        {methods.data?.oidc && (
          <a
            data-testid="oidc-signin"
            className="mt-3 block w-full rounded border border-slate-300 py-1.5 text-center hover:bg-slate-100"
            href={`/api/auth/oidc/login?next=${encodeURIComponent(safeNextPath(params.get("next")))}`}
          >
            Sign in with {methods.data.oidc.displayName}
          </a>
        )}
      </form>
    </div>
  );
}
