import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

/** Modules a source file imports statically (`import … from "x"`, `export … from "x"`; not `import("x")`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

/** Every module reachable from `entry` through static imports: relative files are followed, packages listed. */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (!spec.startsWith(".")) {
        packages.add(spec);
        continue;
      }
      const base = resolve(dirname(file), spec).replace(/\.js$/, "");
      const candidates = [`${base}.ts`, `${base}.tsx`];
      const found = candidates.find((c) => {
        try {
          readFileSync(c);
          return true;
        } catch {
          return false;
        }
      });
      if (found) visit(found);
    }
  };
  visit(entry);
  return { files, packages };
}

describe("module boundaries", () => {
  it("the static report never loads ink or react", () => {
    const { packages } = reachable(resolve(root, "src/tui/report.ts"));
    expect([...packages].filter((p) => /^(ink|react)(\/|$)/.test(p))).toEqual([]);
  });

  it("the TUI entry loads ink and react only lazily (the CLI imports it for `klsim tui` alone)", () => {
    const { packages } = reachable(resolve(root, "src/tui/app.tsx"));
    expect([...packages].filter((p) => /^(ink|react)(\/|$)/.test(p))).toEqual([]);
    expect(readFileSync(resolve(root, "src/tui/app.tsx"), "utf8")).toMatch(/import\("ink"\)/);
  });

  it("the store is plain TypeScript too", () => {
    const { packages } = reachable(resolve(root, "src/sim/store.ts"));
    expect([...packages].filter((p) => /^(ink|react)(\/|$)/.test(p))).toEqual([]);
  });
});
