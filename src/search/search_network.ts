/**
 * Builds the supergraph and architecture of one search method from its
 * settings: DARTS uses ordinary convolutions and softmax-mixed edges,
 * VINNAS sparse variational convolutions and variational relevances.
 *
 * @module
 */

import { createPlainConvolutions } from "../nn/conv.ts";
import { ParameterStore } from "../nn/parameter_store.ts";
import { createVariationalConvolutions } from "../nn/variational_conv.ts";
import { Rng } from "../util/random.ts";
import { searchCandidates } from "./architecture.ts";
import { DartsArchitecture } from "./darts_architecture.ts";
import type { SearchSettings } from "./settings.ts";
import { Supergraph } from "./supergraph.ts";
import { VinnasArchitecture } from "./vinnas_architecture.ts";

/** A search method. */
export type SearchMethod = "vinnas" | "darts-first-order" | "darts-second-order";

/** The search methods, for schemas and command lines. */
export const SEARCH_METHODS = ["vinnas", "darts-first-order", "darts-second-order"] as const;

/** Shape of the data a supergraph classifies. */
export interface SearchInput {
  /** Channels of the images. */
  inputChannels: number;
  classes: number;
}

/** A supergraph with its store and architecture. */
export interface SearchNetwork {
  store: ParameterStore;
  supergraph: Supergraph;
  architecture: DartsArchitecture | VinnasArchitecture;
}

/**
 * Builds the network of `method`. Every random initial value derives from
 * `seed`, so two builds with one seed are identical.
 */
export function buildSearchNetwork(
  method: SearchMethod,
  settings: SearchSettings,
  input: SearchInput,
  seed: number,
): SearchNetwork {
  const store = new ParameterStore();

  let architecture: DartsArchitecture | VinnasArchitecture;
  if (method === "vinnas") {
    const { vinnas } = settings;
    architecture = new VinnasArchitecture(store.scope("architecture"), {
      candidates: searchCandidates(vinnas.includeNone),
      meanInit: vinnas.relevanceInit.mean,
      logSigma2Init: vinnas.relevanceInit.logSigma2,
      pruneThreshold: vinnas.pruneThreshold,
      selection: vinnas.selection,
    });
  } else {
    architecture = new DartsArchitecture(store.scope("architecture"), {
      candidates: searchCandidates(settings.darts.includeNone),
      rng: new Rng(seed),
      initScale: settings.darts.alphaInitScale,
    });
  }

  const factory = method === "vinnas"
    ? createVariationalConvolutions({
      seed,
      logSigma2Init: settings.vinnas.weightLogSigma2Init,
      pruneThreshold: settings.vinnas.pruneThreshold,
    })
    : createPlainConvolutions({ seed });

  const supergraph = new Supergraph(store.scope("network"), {
    cells: settings.cells,
    initChannels: settings.initChannels,
    inputChannels: input.inputChannels,
    classes: input.classes,
    factory,
    architecture,
    seed,
  });
  return { store, supergraph, architecture };
}
