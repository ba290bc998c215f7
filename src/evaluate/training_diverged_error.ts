/**
 * The error of a training run whose loss stopped being finite.
 *
 * @module
 */

/** The epoch and step of a divergence and the last finite loss before it. */
export interface DivergenceDetails {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based step within the epoch. */
  step: number;
  /** The loss that was not finite (NaN, Infinity or -Infinity). */
  loss: number;
  /** The last finite step loss since the process started or resumed, or null if there was none. */
  lastFiniteLoss: number | null;
  learningRate: number;
}

/** A NaN or infinite loss; the last checkpoint is left as it was. */
export class TrainingDivergedError extends Error {
  readonly details: DivergenceDetails;

  constructor(details: DivergenceDetails) {
    const { epoch, step, loss, lastFiniteLoss, learningRate } = details;
    const previous = lastFiniteLoss === null
      ? "no finite loss since the run started or resumed"
      : `last finite loss ${lastFiniteLoss.toPrecision(5)}`;
    super(
      `Training diverged in epoch ${epoch}, step ${step}: the loss is ${loss} (${previous}, ` +
        `learning rate ${learningRate.toPrecision(4)}). Lower the learning rate ` +
        "(evaluation.learningRate) and run again; the checkpoint of the last completed epoch is kept.",
    );
    this.name = "TrainingDivergedError";
    this.details = details;
  }
}
