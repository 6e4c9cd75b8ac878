// Creek has no authorizer (Kafka without authorizer.class.name): every ACL API is refused with
// SECURITY_DISABLED and the messages Kafka's AclApis uses.
export const DESCRIBE_ACLS_NO_AUTHORIZER = 'No Authorizer is configured on the broker';
export const ALTER_ACLS_NO_AUTHORIZER = 'No Authorizer is configured.';
