/** The pure TPS core: model, parse, write, coordinates, image-name resolution. */
export * from './model';
export * from './lines';
export * from './parse';
export * from './missing';
export * from './write';
export * from './coords';
export * from './resolve';
export * from './review';
export * from './source';
export * from './style';
export * from './encoding';
