// The error thrown when the broker's own configuration (file, environment, flags) cannot be used.
// It carries every problem found, one per line, so a user fixes them all in one go.
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
