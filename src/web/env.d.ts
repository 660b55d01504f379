/** The Roller version, set at build time from package.json. */
declare const __ROLLER_VERSION__: string;
