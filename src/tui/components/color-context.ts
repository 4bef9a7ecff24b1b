/** Whether components may colour their text (color.ts decides; the Root provides it). */
import { createContext, useContext } from "react";

export const ColorContext = createContext(true);

export function useColor(): boolean {
  return useContext(ColorContext);
}
