// The journal layer: where records live, the hash-chained run journals and
// their step logs, the per-runbook run lock, and the completion index.

export type {ActiveRunHolder, JournalLine, RunJournal, StepLog} from './types.js';
export {ensurePrivateDir, fsyncDir, openPrivateFile, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, resolveStateDir} from './state-dir.js';
export {journalPath, lockPath, logsDir, recordKey, runsDir} from './layout.js';
export {newRunId, runIdTime} from './run-id.js';
export {createRunJournal, JournalCorruptError, reopenRunJournal} from './run-journal.js';
export type {OpenRunJournal, ReopenedRunJournal, RunJournalOptions} from './run-journal.js';
export {DEFAULT_MAX_LOG_BYTES, truncationNotice} from './step-log.js';
export {listRuns, readJournal, runIdOfJournal, verifyJournal} from './read-journal.js';
export type {ReadJournalResult, VerifyProblem, VerifyProblemKind, VerifyResult} from './read-journal.js';
export {acquireRunLock, readRunLock, RunAlreadyActiveError} from './lock.js';
export type {RunLock, RunLockStatus} from './lock.js';
export {indexPath, nextDueAfter, readCompletionIndex, recordCompletion} from './completion-index.js';
export type {Completion, CompletionEntry, CompletionIndex} from './completion-index.js';
