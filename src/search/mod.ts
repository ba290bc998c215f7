/**
 * Architecture search over the DARTS cell space. The module contains the
 * candidate operations and genotypes, the supergraph, VINNAS's variational
 * relevances and DARTS's softmax relaxation (first and second order), and
 * genotype derivation. It also contains the search loop with checkpoints,
 * DARTS genotype text, published genotypes and the random-search baseline.
 *
 * @module
 */

export {
  CELL_EDGES,
  CELL_STEPS,
  edgesOfNode,
  type Primitive,
  PRIMITIVES,
  PrimitiveSchema,
} from "./primitives.ts";
export {
  type Genotype,
  GENOTYPE_VERSION,
  type GenotypeEdge,
  GenotypeEdgeSchema,
  GenotypeSchema,
} from "./genotype.ts";
export {
  ArchitectureOptimizerSchema,
  DartsSettingsSchema,
  RelevanceInitSchema,
  type SearchSettings,
  searchSettings,
  type SearchSettingsInput,
  SearchSettingsSchema,
  VinnasSettingsSchema,
} from "./settings.ts";
export {
  type Architecture,
  type DartsRelevance,
  type EdgeMixer,
  type OperationOutput,
  type Relevance,
  searchCandidates,
  type VinnasRelevance,
} from "./architecture.ts";
export { DartsArchitecture, type DartsArchitectureOptions } from "./darts_architecture.ts";
export {
  type PruningMasks,
  VinnasArchitecture,
  type VinnasArchitectureOptions,
} from "./vinnas_architecture.ts";
export {
  CELL_TYPES,
  type CellType,
  type Derivation,
  deriveDarts,
  deriveVinnas,
  type ForcedEdge,
  type ScoreTables,
  type VinnasDerivationOptions,
  type VinnasRelevanceTable,
} from "./derive.ts";
export { SearchCell, type SearchCellOptions } from "./search_cell.ts";
export { isReductionCell, Supergraph, type SupergraphOptions } from "./supergraph.ts";
export {
  buildSearchNetwork,
  SEARCH_METHODS,
  type SearchInput,
  type SearchMethod,
  type SearchNetwork,
} from "./search_network.ts";
export {
  type SearchBatchSource,
  type SearchData,
  type SearchDataset,
  type SearchSources,
  searchSources,
  type SearchSplitOptions,
} from "./search_data.ts";
export {
  correctCount,
  crossEntropy,
  type KlTerms,
  type ObjectiveParts,
  searchLoss,
} from "./search_objective.ts";
export {
  unrolledArchitectureGradient,
  type UnrolledGradient,
  type UnrolledOptions,
} from "./unrolled_gradient.ts";
export {
  countSkipConnections,
  epochLogLine,
  type SearchEpochRecord,
  strengthEntropy,
} from "./search_record.ts";
export {
  restoreSearchCheckpoint,
  SEARCH_CHECKPOINT_VERSION,
  type SearchCheckpointMeta,
  type SearchCheckpointTarget,
  writeSearchCheckpoint,
} from "./search_checkpoint.ts";
export {
  type EpochMetrics,
  type EpochSchedule,
  type EpochState,
  evaluateSearch,
  NonFiniteLossError,
  trainEpoch,
} from "./search_epoch.ts";
export { runSearch, type SearchOutcome, type SearchRequest } from "./run_search.ts";
export {
  canonicalGenotypeJson,
  DartsTextError,
  formatDartsGenotype,
  genotypeHash,
  parseDartsGenotype,
} from "./darts_text.ts";
export {
  DARTS_V1,
  DARTS_V2,
  PUBLISHED_GENOTYPES,
  type PublishedGenotype,
  publishedGenotype,
} from "./published.ts";
export {
  type RandomCandidateRecord,
  type RandomSearchOutcome,
  type RandomSearchRequest,
  type RandomSearchSettings,
  randomSearchSettings,
  type RandomSearchSettingsInput,
  RandomSearchSettingsSchema,
  runRandomSearch,
  sampleDistinctGenotypes,
  sampleGenotype,
} from "./random_search.ts";
