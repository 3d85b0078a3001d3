import type { ReactNode } from "react";
import { Providers } from "@/components/trpc";
import "./globals.css";

// Every page is rendered per request: its inline scripts carry that response's CSP nonce (proxy.ts).
export const dynamic = "force-dynamic";

export const metadata = { title: "tenet", description: "Self-service multi-tenant networks for Kubernetes" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
