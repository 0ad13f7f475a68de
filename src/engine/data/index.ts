/** Image data for the engine: decoding, the disk cache, training sets. */
export * from './image';
export * from './cache';
export * from './training-set';
export * from './from-dataset';
