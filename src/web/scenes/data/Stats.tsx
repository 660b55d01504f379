/** A row of labelled counts (import results). */
export function Stats({ label, items }: { label: string; items: { label: string; value: number }[] }) {
  return (
    <dl className="stats" aria-label={label}>
      {items.map((item) => (
        <div key={item.label} className="stat">
          <dt className="stat-label">{item.label}</dt>
          <dd className="stat-value">{item.value.toLocaleString()}</dd>
        </div>
      ))}
    </dl>
  );
}
