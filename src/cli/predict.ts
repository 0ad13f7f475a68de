// Placeholder until the owning module lands: replace this file.
import type { CliCommand } from './command';

export const command: CliCommand = {
  async run(): Promise<number> {
    console.error('predict: not implemented yet');
    return 2;
  },
};
