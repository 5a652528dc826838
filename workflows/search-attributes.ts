/** Typed search attributes shown and filterable in the Temporal UI; registered by the dev-server launcher and the leader. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SWEEP_NAME = defineSearchAttributeKey('ServebenchSweep', SearchAttributeType.KEYWORD);
export const SWEEP_STATUS = defineSearchAttributeKey('ServebenchStatus', SearchAttributeType.KEYWORD);
export const JOBS_DONE = defineSearchAttributeKey('ServebenchJobsDone', SearchAttributeType.INT);
export const JOBS_TOTAL = defineSearchAttributeKey('ServebenchJobsTotal', SearchAttributeType.INT);
export const JOBS_FAILED = defineSearchAttributeKey('ServebenchJobsFailed', SearchAttributeType.INT);

export const ALL_SEARCH_ATTRIBUTES = [SWEEP_NAME, SWEEP_STATUS, JOBS_DONE, JOBS_TOTAL, JOBS_FAILED];
