// The agency directory: who the hub knows (OrganId, names, addresses, former codes), how each is
// reached (hosted, partner system over AMQP, e-mail only) and what signatures it must send.
// It never decides routing or relays anything itself; ingest, exchange and registry ask it.
export {
  AgencyInputSchema,
  AGENCY_CHANNELS,
  SIGNATURE_POLICIES,
  type Agency,
  type AgencyInput,
} from './agency.ts';
export type { AgencyDirectory, DirectoryConflict, UpsertOptions, UpsertResult } from './agency-directory.ts';
export { createPrismaAgencyDirectory } from './prisma-agency-directory.ts';
export {
  agencyByAddress,
  agencyIdOf,
  closedCodeNote,
  findAgency,
  resolveAgency,
  type AgencyRef,
  type CodeMatch,
  type ResolvedAgency,
} from './agency-reference.ts';
export { attachDirectoryCache, DIRECTORY_CHANNEL, type AttachedDirectoryCache } from './directory-cache.ts';
export { ensureOwnAgency, ownAgencyName } from './ensure-own-agency.ts';
export { parseAgencyCsv, AGENCY_CSV_COLUMNS, type CsvProblem } from './parse-agency-csv.ts';
// The code forms are pure rules every module reads (the edXML validator too): they live in shared.
export {
  codeKey,
  equivalentCode,
  isAbsentCode,
  isAliasOrganId,
  isOrganId,
  MAX_CODE_LENGTH,
  organIdForm,
  type OrganIdForm,
} from '../shared/index.ts';
export { importAgencies, saveAgency, type AgencyChangeVia } from './save-agencies.ts';
export {
  levelOneOf,
  mergeProvinces,
  planProvinceMerger,
  type MergerOutcome,
  type MergerPlan,
  type MergerStep,
  type ProvinceMergerInput,
} from './merge-provinces.ts';
export {
  MERGER_MAPPING_COLUMNS,
  parseMergerMapping,
  type MappingProblem,
  type MergerMappingRow,
} from './parse-merger-mapping.ts';
export {
  parseAxisDirectory,
  type AxisEntry,
  type AxisProblem,
  type ParsedAxisDirectory,
} from './parse-axis-directory.ts';
export { importAxisDirectory, type AxisImportOutcome } from './import-axis-directory.ts';
