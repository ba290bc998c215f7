/**
 * The one logger of the harness. Library code logs through a tagged logger
 * (`logger("search")`) and never writes to the console itself, so the CLI
 * decides the level and where lines go.
 *
 * The level comes from `VINNAS_LOG_LEVEL` (debug, info, warn, error, silent)
 * and can be changed at run time by `setLogLevel`, which the CLI calls for
 * `--log-level`.
 *
 * @module
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** A log level name, from most to least verbose. */
export type LogLevel = typeof LOG_LEVELS[number];

/** A function that receives every line at or above the current level. */
export type LogSink = (level: LogLevel, tag: string, message: string) => void;

/** A logger bound to one subsystem tag. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const _rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

let _level: LogLevel = _levelFromEnvironment();
let _sink: LogSink = _stderrSink;

/** Sets the minimum level that reaches the sink. */
export function setLogLevel(level: LogLevel): void {
  _level = level;
}

/** Returns the current minimum level. */
export function getLogLevel(): LogLevel {
  return _level;
}

/** Replaces where log lines go (tests capture them; the CLI keeps stderr). */
export function setLogSink(sink: LogSink): LogSink {
  const previous = _sink;
  _sink = sink;
  return previous;
}

/** Creates a logger whose lines are tagged `[tag]`. */
export function logger(tag: string): Logger {
  const emit = (level: LogLevel, message: string) => {
    if (_rank[level] < _rank[_level]) return;
    _sink(level, tag, message);
  };

  return {
    debug: (message) => emit("debug", message),
    info: (message) => emit("info", message),
    warn: (message) => emit("warn", message),
    error: (message) => emit("error", message),
  };
}

/** Checks that a string names a log level, for the CLI and the environment. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

function _levelFromEnvironment(): LogLevel {
  let value: string | undefined;
  try {
    value = Deno.env.get("VINNAS_LOG_LEVEL");
  } catch {
    // Without --allow-env the default level applies.
    value = undefined;
  }

  return value !== undefined && isLogLevel(value) ? value : "info";
}

function _stderrSink(level: LogLevel, tag: string, message: string): void {
  const prefix = level === "info" ? "" : `${level}: `;
  const line = `[${tag}] ${prefix}${message}\n`;
  Deno.stderr.writeSync(new TextEncoder().encode(line));
}
