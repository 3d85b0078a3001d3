import { TenantConfigEditor } from "@/components/admin/TenantConfigEditor";

export default function TenantConfigPage() {
  return <TenantConfigEditor />;
}
