#!/usr/bin/env node
/** klsim as an ES module (tsc's output; the tests run it through tsx): see cli.ts. The installed binary is klsim.cts. */
import { start } from "./start.js";

start(process.argv.slice(2));
