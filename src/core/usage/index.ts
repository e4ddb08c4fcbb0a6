/** The usage log: record schema, batched writer, reader, completion fates and the dashboard's aggregation. */
export * from "./record.ts";
export * from "./writer.ts";
export * from "./reader.ts";
export * from "./completionRecords.ts";
export * from "./aggregate.ts";
export * from "./export.ts";
export * from "./statisticsProtocol.ts";
export * from "./chatRecords.ts";
