// A layer of broker settings from one source (file, environment, flags), each value remembering
// where it came from so that errors can point at it.
export interface SourcedValue {
  value: string;
  /** Where the value came from, e.g. `environment variable CREEK_NUM_PARTITIONS`. */
  origin: string;
}

export type ConfigLayer = Map<string, SourcedValue>;

export function layerFrom(props: ReadonlyMap<string, string>, origin: (key: string) => string): ConfigLayer {
  const layer: ConfigLayer = new Map();
  for (const [key, value] of props) layer.set(key, { value, origin: origin(key) });
  return layer;
}
