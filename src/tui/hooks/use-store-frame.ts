/** The store's latest frame; re-renders when the driver publishes (≤ ~30 times a second). */
import { useSyncExternalStore } from "react";
import type { SimStore, StoreFrame } from "../../sim/store.js";

export function useStoreFrame<Meta>(store: SimStore<Meta>): StoreFrame<Meta> {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
