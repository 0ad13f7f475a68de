/** Helpers for the integration tests; see each module. */
export * from './env';
export * from './wait';
export * from './screenshot';
export * from './extension';
export * from './workspace';
export * from './editor';
