"use client";
// The browser side of tRPC: batched queries, SSE for subscriptions, the CSRF header on every call,
// and live invalidation: a change to an object refetches the queries that show it.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import { z } from "zod";
import type { AppRouter } from "@/server/api/root";
import { MAX_BATCH_SIZE } from "@/server/domain/requestLimits";

// The pages run under a Content Security Policy without 'unsafe-eval' (proxy.ts): zod must not
// probe for eval (its probe alone is a violation); it validates the same without it.
z.config({ jitless: true });

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

function csrfToken(): string {
  const m = /(?:^|;\s*)tenet_csrf=([^;]*)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : "";
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            retry: (n, e) => n < 2 && !/UNAUTHORIZED|FORBIDDEN|NOT_FOUND/.test(String((e as { data?: { code?: string } })?.data?.code)),
          },
        },
      }),
  );
  const [client] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: "/api/trpc" }),
          false: httpBatchLink({ url: "/api/trpc", maxItems: MAX_BATCH_SIZE, headers: () => ({ "x-tenet-csrf": csrfToken() }) }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={client} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
