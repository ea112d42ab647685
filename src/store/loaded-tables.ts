/**
 * The tables a seed fills. A bulk load (SQLite's sqlite/bulk-load.ts, PostgreSQL's
 * postgres/bulk-load.ts) runs only while every one of them is empty.
 */
export const LOADED_TABLES = ['machines', 'machine_tags', 'machine_ip_history', 'alerts', 'alert_history'] as const;

export type LoadedTable = (typeof LOADED_TABLES)[number];
