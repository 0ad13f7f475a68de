/** A model folder that cannot be used: missing, corrupt, or not matching what the caller expects. */
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ModelFileError';
  }
}
