// A small Kubernetes REST client for the console: one pooled HTTPS agent (connections are reused,
// unlike client-node 2.0.1, which opens one per request) and impersonation with any number of
// groups (client-node can only impersonate a user, and fetch's Headers would join several
// Impersonate-Group values into one, which the API server reads as a single group name).
import { Agent, request } from "undici";
import type { KubeConfig } from "@kubernetes/client-node";
import { retryThrottled } from "./apiCall";
import { loadKubeConfig } from "./config";
import { KubeError, statusError } from "./errors";

/** Who the console acts as: a Kubernetes user name and its groups. */
export interface Identity {
  user: string;
  groups: string[];
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

interface Connection {
  server: string;
  agent: Agent;
  authorization?: string;
}

async function connectionFrom(kc: KubeConfig): Promise<Connection> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const opts: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string; headers?: Record<string, string>; rejectUnauthorized?: boolean } = {};
  await kc.applyToHTTPSOptions(opts as never);
  return {
    server: cluster.server.replace(/\/+$/, ""),
    agent: new Agent({
      connect: { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: !cluster.skipTLSVerify },
      keepAliveTimeout: 30_000,
      connections: 32,
    }),
    authorization: opts.headers?.Authorization ?? opts.headers?.authorization,
  };
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The console's connection to the API server. `as(identity)` gives a client that acts as that person. */
export class KubeRest {
  private constructor(
    private readonly conn: Connection,
    private readonly identity?: Identity,
  ) {}

  static async fromKubeConfig(kc: KubeConfig): Promise<KubeRest> {
    return new KubeRest(await connectionFrom(kc));
  }

  /** `file`, else what loadKubeConfig finds (KUBECONFIG, in-cluster, ~/.kube/config). */
  static async fromFile(file?: string): Promise<KubeRest> {
    return KubeRest.fromKubeConfig(loadKubeConfig(file));
  }

  get server() {
    return this.conn.server;
  }

  /** The same connection, impersonating `identity` on every request. */
  as(identity: Identity): KubeRest {
    return new KubeRest(this.conn, identity);
  }

  private headers(contentType?: string): string[] {
    const h = ["accept", "application/json"];
    if (contentType) h.push("content-type", contentType);
    if (this.conn.authorization) h.push("authorization", this.conn.authorization);
    if (this.identity) {
      h.push("impersonate-user", this.identity.user);
      for (const g of this.identity.groups) h.push("impersonate-group", g);
    }
    return h;
  }

  private url(path: string, query?: Record<string, string | undefined>) {
    const q = Object.entries(query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
    return `${this.conn.server}${path}${q.length ? `?${new URLSearchParams(q)}` : ""}`;
  }

  /** One API call; non-2xx answers throw KubeError with the server's message and causes. 429/503 are retried (apiCall.ts). */
  call<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return retryThrottled(() => this.attempt<T>(path, options));
  }

  private async attempt<T>(path: string, options: RequestOptions): Promise<T> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const res = await request(this.url(path, options.query), {
      method: options.method ?? "GET",
      headers: this.headers(body ? (options.contentType ?? "application/json") : undefined),
      body,
      dispatcher: this.conn.agent,
      signal: options.signal,
    }).catch((e: Error & { cause?: { code?: string }; code?: string }) => {
      throw new KubeError(undefined, `cannot reach the API server at ${this.conn.server}: ${e.cause?.code ?? e.code ?? e.message}`);
    });
    const text = await res.body.text();
    if (res.statusCode >= 200 && res.statusCode < 300) return (text ? JSON.parse(text) : undefined) as T;
    throw statusError(res.statusCode, text, headerValue(res.headers["retry-after"]));
  }

  /**
   * A watch stream: calls `onEvent` per event until the server closes it, the signal aborts or an
   * error occurs. Resolves when the stream ends normally.
   */
  async watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (e: { type: string; object: unknown }) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const res = await request(this.url(path, { ...query, watch: "true", allowWatchBookmarks: "true" }), {
      method: "GET",
      headers: this.headers(),
      dispatcher: this.conn.agent,
      signal,
      bodyTimeout: 0,
    });
    if (res.statusCode !== 200) throw statusError(res.statusCode, await res.body.text(), headerValue(res.headers["retry-after"]));
    let buffered = "";
    for await (const chunk of res.body) {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) onEvent(JSON.parse(line) as { type: string; object: unknown });
      }
    }
  }

  async close() {
    await this.conn.agent.close();
  }
}
