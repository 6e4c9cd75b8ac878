/** Kafka's "authorized operations not requested" sentinel in group, topic and cluster descriptions. */
export const OPS_OMITTED = -2147483648;
