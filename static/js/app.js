// Crocevia page enhancements: progressive, the pages work without them.

import "./actions.js";
import "./length_limits.js";
import "./mentions.js";
import "./search_suggest.js";
import { relativeTimes } from "./times.js";

relativeTimes(document);
