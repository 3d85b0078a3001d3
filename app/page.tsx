import { loadOverview } from "@/server/console/overview";

export const dynamic = "force-dynamic";

export default async function Home() {
  const overview = await loadOverview();
  return (
    <main>
      <h1>tenet</h1>
      <p className="muted">Self-service multi-tenant networks for Kubernetes (DANM 4.x APIs). The full console with sign-in is on its way; this page lists the networks as {overview.identity} sees them.</p>
      {overview.server && <p>API server: <code>{overview.server}</code></p>}
      {overview.error && <p className="error">Cannot reach the API server: {overview.error}. Is the cluster running? Try <code>npx tenet cluster status</code>.</p>}
      <h2>Networks</h2>
      {overview.rows.length === 0 ? (
        <p className="muted">No networks yet. Create one with <code>kubectl apply -f examples/tenantnetworks.yaml</code> as alice.</p>
      ) : (
        <table>
          <thead>
            <tr><th>Kind</th><th>Namespace</th><th>Name</th><th>Type</th><th>CIDR</th><th>Net6</th><th>VNI</th><th>Device</th><th>Used IPv4</th></tr>
          </thead>
          <tbody>
            {overview.rows.map((r) => (
              <tr key={`${r.kind}/${r.namespace}/${r.name}`}>
                <td>{r.kind}</td><td>{r.namespace}</td><td>{r.name}</td><td>{r.type}</td><td>{r.cidr}</td><td>{r.net6}</td><td>{r.vni}</td><td>{r.device}</td><td>{r.used}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {overview.users.length > 0 && (
        <>
          <h2>Demo users</h2>
          <table>
            <thead><tr><th>User</th><th>kubectl</th></tr></thead>
            <tbody>
              {overview.users.map((u) => (
                <tr key={u.name}><td>{u.name}</td><td><code>export KUBECONFIG={u.kubeconfig}</code></td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
