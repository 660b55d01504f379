// The two Cytoscape extensions ship no types; each is a `cytoscape.use(...)` registration function.
declare module 'cytoscape-fcose' {
  import type { Ext } from 'cytoscape';

  const fcose: Ext;
  export default fcose;
}
declare module 'cytoscape-svg' {
  import type { Ext } from 'cytoscape';

  const svg: Ext;
  export default svg;
}
