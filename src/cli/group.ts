export async function groupCommand(argv: string[]): Promise<void> { void argv; }
