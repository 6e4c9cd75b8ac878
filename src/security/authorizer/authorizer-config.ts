// The broker settings that switch the authorizer on and tune it. Kafka's two ACL authorizer
// classes (StandardAuthorizer of KRaft, AclAuthorizer of ZooKeeper clusters) both mean Creek's
// ACL authorizer; an empty authorizer.class.name means none, as in Kafka.
export const ACL_AUTHORIZER_CLASSES: readonly string[] = [
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'kafka.security.authorizer.AclAuthorizer',
];

export interface AuthorizerConfig {
  superUsers: ReadonlySet<string>;
  allowEveryoneIfNoAclFound: boolean;
}

/** The authorizer's settings, or null when no authorizer is configured (the class name is validated with the config). */
export function resolveAuthorizerConfig(props: ReadonlyMap<string, string>): AuthorizerConfig | null {
  const className = (props.get('authorizer.class.name') ?? '').trim();
  if (className === '') return null;
  const superUsers = (props.get('super.users') ?? '').split(';').map((u) => u.trim()).filter((u) => u !== '');
  return {
    superUsers: new Set(superUsers),
    allowEveryoneIfNoAclFound: (props.get('allow.everyone.if.no.acl.found') ?? 'false').trim().toLowerCase() === 'true',
  };
}
