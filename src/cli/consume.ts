export async function consumeCommand(argv: string[]): Promise<void> { void argv; }
