// Fault injection: what a request is about, for matching faults to it — the topics it names and
// the consumer groups it addresses. An API missing from a table names no topics (or groups).
import type { AnyApiKey, RequestOf } from '../../protocol/codec/messages.js';

type Keys<K extends AnyApiKey> = (request: RequestOf<K>, topicName: (id: string) => string | undefined) => string[];

const TOPIC_RESOURCE = 2;

const names = (list: readonly { name: string | null }[] | null): string[] => (list ?? []).flatMap((t) => (t.name === null ? [] : [t.name]));

const topicsOf: { [K in AnyApiKey]?: Keys<K> } = {
  0: (req) => req.topicData.map((t) => t.name),
  // Fetch v13+ names topics by id only.
  1: (req, topicName) => req.topics.map((t) => (t.topic !== '' ? t.topic : (topicName(t.topicId) ?? ''))),
  2: (req) => names(req.topics),
  3: (req) => names(req.topics),
  8: (req) => names(req.topics),
  9: (req) => [...names(req.topics), ...req.groups.flatMap((g) => names(g.topics))],
  19: (req) => names(req.topics),
  24: (req) => [...names(req.v3AndBelowTopics), ...req.transactions.flatMap((t) => names(t.topics))],
  28: (req) => names(req.topics),
  // Topic resources only (resource type 2); broker and group resources name no topic.
  32: (req) => req.resources.filter((r) => r.resourceType === TOPIC_RESOURCE).map((r) => r.resourceName),
};

const groupsOf: { [K in AnyApiKey]?: Keys<K> } = {
  8: (req) => [req.groupId],
  9: (req) => (req.groups.length > 0 ? req.groups.map((g) => g.groupId) : [req.groupId]),
  11: (req) => [req.groupId],
  12: (req) => [req.groupId],
  13: (req) => [req.groupId],
  14: (req) => [req.groupId],
  15: (req) => req.groups,
  28: (req) => [req.groupId],
};

/** Whether requests of `apiKey` name topics (a topic filter can match them). */
export function namesTopics(apiKey: number): boolean {
  return (topicsOf as Record<number, unknown>)[apiKey] !== undefined;
}

export function requestTopics(apiKey: number, request: unknown, topicName: (id: string) => string | undefined): string[] {
  const keys = (topicsOf as Record<number, Keys<AnyApiKey> | undefined>)[apiKey];
  return keys === undefined ? [] : keys(request as never, topicName);
}

/** The consumer groups a request is served by the group coordinator for (none for other APIs). */
export function requestGroups(apiKey: number, request: unknown): string[] {
  const keys = (groupsOf as Record<number, Keys<AnyApiKey> | undefined>)[apiKey];
  return keys === undefined ? [] : keys(request as never, () => undefined);
}

/** The API keys a paused group's requests come by. */
export const GROUP_API_KEYS: readonly number[] = Object.keys(groupsOf).map(Number);
