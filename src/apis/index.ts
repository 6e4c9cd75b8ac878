// Every API handler Creek serves. ApiVersions advertises exactly this list.
import type { ApiHandler } from './api.js';
import produce from './00-produce.js';
import fetch from './01-fetch.js';
import listOffsets from './02-list-offsets.js';
import metadata from './03-metadata.js';
import apiVersions from './18-api-versions.js';

export const handlers: readonly ApiHandler[] = [produce, fetch, listOffsets, metadata, apiVersions] as ApiHandler[];
