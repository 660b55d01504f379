/** Deterministic UUIDs from short names (the hex of the name): the same seed gives the same ids on every backend. */
export const nameUuid = (name: string): string => {
  let hex = '';
  for (const char of name.padEnd(16, '.').slice(0, 16)) hex += char.charCodeAt(0).toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};
