// Authorized-operation bit sets for group descriptions (bit n = AclOperation code n). Every
// client may do everything here (no ACLs), so Kafka's full set for a group is reported:
// READ (3), DELETE (6), DESCRIBE (8).
export const ALL_GROUP_OPS = (1 << 3) | (1 << 6) | (1 << 8);
/** Kafka's "authorized operations not requested" sentinel. */
export const OPS_OMITTED = -2147483648;
