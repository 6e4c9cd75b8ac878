// Kafka's topic-name rules (org.apache.kafka.common.internals.Topic): 1-249 characters from
// [a-zA-Z0-9._-], not "." or "..". Names that differ only by '.' vs '_' collide in metric names,
// so Kafka refuses to create one when the other exists.

const LEGAL = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Returns why the name is invalid, or null when it is valid. */
export function invalidTopicNameReason(name: string): string | null {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** The name other topics would collide with: '.' and '_' folded together. */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);
export const isInternalTopic = (name: string): boolean => INTERNAL_TOPICS.has(name);
