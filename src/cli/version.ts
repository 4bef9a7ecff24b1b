/** klsim's version, from the package.json two directories up (src/cli/ and dist/cli/ alike). */
import { readFileSync } from "node:fs";

export function versionText(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return `klsim ${pkg.version}\n`;
}
