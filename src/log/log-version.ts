/** The log format version (`v` on every event). Its own module so the writer never loads zod. */
export const LOG_VERSION = 1;
