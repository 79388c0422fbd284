// import-in-the-middle ships this file without types: a pure Node version check (no imports).
declare module 'import-in-the-middle/supports-sync-hooks.mjs' {
  /** Whether this Node runs IITM's synchronous `module.registerHooks` loader correctly. */
  export function supportsSyncHooks(): boolean;
}
