// Kafka's regular-expression filters (subscription patterns of KIP-848, ListTransactions' id
// pattern) must match a whole name, as Java's Pattern.matches and RE2/J's do. Creek compiles them
// as JavaScript regular expressions, which agree on the usual syntax (classes, alternation,
// repetition); Kafka would refuse look-around and back-references, which JavaScript accepts.

/** The pattern anchored at both ends, or undefined when it does not compile. */
export function fullMatchRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}
