/** Data sets on disk: TPS files or folders of them, with their images resolved (Node fs). */
export * from './images';
export * from './load';
export * from './save';
