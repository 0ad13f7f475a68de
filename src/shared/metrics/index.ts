/** Error metrics of landmark predictions: pure. */
export * from './stats';
export * from './errors';
export * from './match';
export * from './evaluation';
export * from './csv';
