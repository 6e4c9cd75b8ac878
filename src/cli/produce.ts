export async function produceCommand(argv: string[]): Promise<void> { void argv; }
