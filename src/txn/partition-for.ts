// Which partition of an internal topic owns a key: Utils.abs(key.hashCode()) % partitions, with
// Java's String.hashCode, exactly as Kafka places transactional ids and group ids.

export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export function partitionFor(key: string, partitions: number): number {
  const h = javaStringHash(key);
  return (h === -0x80000000 ? 0 : Math.abs(h)) % partitions;
}
