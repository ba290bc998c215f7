/**
 * Named trainable state of a network: every tf.Variable a module creates is
 * registered here under a hierarchical name, with the role it plays. The
 * store is what optimizers, checkpoints, KL terms and parameter counts
 * enumerate, so no module needs to expose its variables by hand.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/**
 * Role of a variable.
 * - `weight`: trained by the weight optimizer (convolution kernels, BN affine,
 *   classifier); for a variational layer this is the mean θ.
 * - `log-sigma2`: the log variance of a variational weight, also trained by
 *   the weight optimizer but not counted as a network parameter.
 * - `architecture`: architecture parameters (DARTS α, VINNAS relevance θ and
 *   log σ²), trained by the architecture optimizer.
 * - `buffer`: state that is not trained (BN running mean and variance).
 */
export type ParameterRole = "weight" | "log-sigma2" | "architecture" | "buffer";

/** Options of one registered variable. */
export interface ParameterOptions {
  role: ParameterRole;
  /** Whether SGD weight decay applies. @default true for weights, false otherwise */
  weightDecay?: boolean;
  /** Part of the auxiliary head, excluded from parameter counts as DARTS does. @default false */
  auxiliary?: boolean;
  /** Counted in the network's parameter total. @default true for `weight` */
  counted?: boolean;
}

/** One registered variable with its role. */
export interface ParameterEntry {
  name: string;
  variable: tf.Variable;
  role: ParameterRole;
  weightDecay: boolean;
  auxiliary: boolean;
  counted: boolean;
}

/**
 * A variational weight: mean θ and log variance log σ² of the same shape
 * (sparse variational dropout, Molchanov et al. 2017). `group` states whether
 * its KL belongs to the weights or to the architecture (operation relevance).
 */
export interface VariationalPair {
  name: string;
  theta: tf.Variable;
  logSigma2: tf.Variable;
  group: "weight" | "architecture";
  auxiliary: boolean;
}

interface _Registry {
  entries: Map<string, ParameterEntry>;
  variational: VariationalPair[];
}

/**
 * A view of the registry under a name prefix. `scope("cells.0")` returns a
 * store whose names start with `cells.0.`; all views share one registry.
 */
export class ParameterStore {
  readonly prefix: string;
  readonly auxiliary: boolean;
  private readonly registry: _Registry;

  constructor(prefix = "", registry?: _Registry, auxiliary = false) {
    this.prefix = prefix;
    this.registry = registry ?? { entries: new Map(), variational: [] };
    this.auxiliary = auxiliary;
  }

  /** Returns a view whose names are prefixed by `name.`; `auxiliary` marks a head. */
  scope(name: string, options: { auxiliary?: boolean } = {}): ParameterStore {
    const auxiliary = options.auxiliary ?? this.auxiliary;
    return new ParameterStore(this.qualify(name), this.registry, auxiliary);
  }

  /**
   * Registers `initial` as a variable named `prefix.name` and takes ownership
   * of it: the caller must not dispose `initial`.
   */
  add(name: string, initial: tf.Tensor, options: ParameterOptions): tf.Variable {
    const fullName = this.qualify(name);
    if (this.registry.entries.has(fullName)) {
      throw new Error(`Cannot register parameter "${fullName}": the name is already taken.`);
    }

    const trainable = options.role !== "buffer";
    const variable = tf.variable(initial, trainable, _uniqueVariableName(fullName));
    initial.dispose();

    this.registry.entries.set(fullName, {
      name: fullName,
      variable,
      role: options.role,
      weightDecay: options.weightDecay ?? options.role === "weight",
      auxiliary: options.auxiliary ?? this.auxiliary,
      counted: options.counted ?? options.role === "weight",
    });
    return variable;
  }

  /** Records that `theta` and `logSigma2` (already added) form one variational weight. */
  addVariationalPair(
    name: string,
    theta: tf.Variable,
    logSigma2: tf.Variable,
    group: "weight" | "architecture",
  ): void {
    this.registry.variational.push({
      name: this.qualify(name),
      theta,
      logSigma2,
      group,
      auxiliary: this.auxiliary,
    });
  }

  /** Returns the entries that satisfy `filter`, in registration order. */
  entries(filter: (entry: ParameterEntry) => boolean = () => true): ParameterEntry[] {
    return [...this.registry.entries.values()].filter(filter);
  }

  /** Returns the variables with one of the given roles, in registration order. */
  variables(...roles: ParameterRole[]): tf.Variable[] {
    return this.entries((entry) => roles.includes(entry.role)).map((entry) => entry.variable);
  }

  /** Returns the variational weights, optionally of one group. */
  variationalPairs(group?: "weight" | "architecture"): VariationalPair[] {
    return this.registry.variational.filter((pair) => group === undefined || pair.group === group);
  }

  /** Returns the entry named `fullName`, or undefined. */
  get(fullName: string): ParameterEntry | undefined {
    return this.registry.entries.get(fullName);
  }

  /** Disposes every registered variable; the store is empty afterwards. */
  dispose(): void {
    for (const entry of this.registry.entries.values()) entry.variable.dispose();
    this.registry.entries.clear();
    this.registry.variational.length = 0;
  }

  private qualify(name: string): string {
    return this.prefix === "" ? name : `${this.prefix}.${name}`;
  }
}

// tfjs variable names are global to the engine; a counter keeps two stores
// (for example a network and its second-order DARTS copy) from colliding.
let _variableCounter = 0;

function _uniqueVariableName(name: string): string {
  _variableCounter += 1;
  return `${name}#${_variableCounter}`;
}
