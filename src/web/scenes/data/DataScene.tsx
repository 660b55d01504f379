import { AdminOnly } from '../../app/Shell.tsx';
import { useIsAdmin } from '../../app/session.tsx';
import { ExportCard } from './ExportCard.tsx';
import { InventoryImportCard } from './InventoryImportCard.tsx';
import { SnapshotImportCard } from './SnapshotImportCard.tsx';

/** /data: snapshot export for everyone; snapshot and NetBox/Nautobot import for admins (issue 7 item 5). */
export function DataScene() {
  const admin = useIsAdmin();
  return (
    <>
      <h1>Import and export</h1>
      <ExportCard />
      {!admin && (
        <p className="muted">Importing changes devices, so it is for admins; you can download the exports above.</p>
      )}
      <AdminOnly>
        <SnapshotImportCard />
        <InventoryImportCard />
      </AdminOnly>
    </>
  );
}
