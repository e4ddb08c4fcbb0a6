/** Command ids contributed in package.json; the unit tests check that the manifest and this list agree. */
export const COMMANDS = {
  explainSelection: "privateCoder.explainSelection",
  selectModel: "privateCoder.selectModel",
  showStatistics: "privateCoder.showStatistics",
  clearUsageLog: "privateCoder.clearUsageLog",
  acceptNextWord: "privateCoder.acceptNextWord",
  acceptNextLine: "privateCoder.acceptNextLine",
  restartEngine: "privateCoder.restartEngine",
  toggleInlineCompletions: "privateCoder.toggleInlineCompletions",
  showLogs: "privateCoder.showLogs",
  showEngineStatus: "privateCoder.showEngineStatus",
  showWhatTheModelSees: "privateCoder.showWhatTheModelSees",
  triggerInlineCompletion: "privateCoder.triggerInlineCompletion",
  showMenu: "privateCoder.showMenu",
  addRemoteEndpoint: "privateCoder.addRemoteEndpoint",
  testRemoteConnection: "privateCoder.testRemoteConnection",
  removeRemoteEndpoint: "privateCoder.removeRemoteEndpoint",
  estimateMemory: "privateCoder.estimateMemory",
  showSystemInfo: "privateCoder.showSystemInfo",
  quantizeModel: "privateCoder.quantizeModel",
  optimizeEngine: "privateCoder.optimizeEngine",
  editSelection: "privateCoder.editSelection",
  fixWithPrivateCoder: "privateCoder.fixWithPrivateCoder",
  writeTests: "privateCoder.writeTests",
  writeDocComment: "privateCoder.writeDocComment",
  enableGpuAcceleration: "privateCoder.enableGpuAcceleration",
  removeGpuBinaries: "privateCoder.removeGpuBinaries",
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

export const VIEW_CONTAINER_ID = "privateCoder";
export const CHAT_VIEW_ID = "privateCoder.chat";
