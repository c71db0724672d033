/**
 * What the simulated users work on: tools, workflows, samples, project and collection names and
 * the messages dispatchers and crunch-run write, modelled on a bioinformatics cluster. Pure data
 * and small builders; all chance comes from the SimRandom passed in.
 */
import { createHash } from 'node:crypto';
import type { SimRandom } from './simRandom';

/** One containerized program: what a container request runs. Durations are virtual seconds. */
export interface Tool {
  /** The CWL step id arvados-cwl-runner names child requests after. */
  step: string;
  image: string;
  command: (subject: string) => string[];
  vcpus: number;
  ramGiB: number;
  /** How long the container runs, [min, max] seconds. */
  runSeconds: readonly [number, number];
  /** Chance that it exits non-zero, and the codes it then uses. */
  failRate: number;
  exitCodes: ReadonlyArray<readonly [number, number]>;
  outputs: (subject: string) => string[];
}

export interface Stage {
  tool: Tool;
  /** How many requests the stage scatters into, [min, max]. */
  scatter: readonly [number, number];
  /** Suffix scatter steps with the part they work on (a chromosome), else `_2`, `_3`. */
  parts?: readonly string[];
  /**
   * A sub-workflow: each scattered step is itself an arvados-cwl-runner workflow of these stages
   * (its own container submits child requests), named after `tool.step`, whose outputs it ends with.
   */
  sub?: Stage[];
}

/** A top-level request: one tool, or an arvados-cwl-runner workflow of stages. */
export type Template =
  | { type: 'tool'; name: (subject: string) => string; subject: (rng: SimRandom) => string; tool: Tool }
  | { type: 'workflow'; name: (subject: string) => string; subject: (rng: SimRandom) => string; stages: Stage[] };

const GiB = 1024 ** 3;
export const REFERENCE_PDH = 'a3b8f1c0e0c54a6b2f9d7e6c5b4a3f21+1741';
const REF = `/keep/${REFERENCE_PDH}/GRCh38_full_analysis_set_plus_decoy_hla.fa`;

export const SAMPLES = ['NA12878', 'NA12891', 'NA12892', 'HG002', 'HG003', 'HG004', 'NA19240', 'HG00733', 'NA24385', 'HG01243'] as const;
export const CHROMOSOMES = [...Array.from({ length: 22 }, (_, i) => `chr${i + 1}`), 'chrX', 'chrY'] as const;
const RNA_SAMPLES = ['liver_t0_rep1', 'liver_t0_rep2', 'liver_t6_rep1', 'liver_t24_rep3', 'kidney_ctrl_2', 'PBMC_donor7'] as const;

const sample = (rng: SimRandom) => rng.pick(SAMPLES);
const batch = (rng: SimRandom) => String(rng.int(1, 12));

const FAIL_CODES = [[1, 6], [2, 1], [137, 2]] as const;

const TOOLS = {
  fastqc: {
    step: 'fastqc', image: 'biocontainers/fastqc:v0.11.9_cv8', vcpus: 2, ramGiB: 4, runSeconds: [8, 30], failRate: 0.02, exitCodes: FAIL_CODES,
    command: (s) => ['fastqc', '--threads', '2', '--outdir', '/out', `/keep/reads/${s}_R1.fastq.gz`, `/keep/reads/${s}_R2.fastq.gz`],
    outputs: (s) => [`${s}_R1_fastqc.html`, `${s}_R1_fastqc.zip`, `${s}_R2_fastqc.html`, `${s}_R2_fastqc.zip`],
  },
  bwa: {
    step: 'bwa-mem', image: 'biocontainers/bwa:v0.7.17_cv1', vcpus: 16, ramGiB: 32, runSeconds: [40, 180], failRate: 0.04, exitCodes: FAIL_CODES,
    command: (s) => ['bwa', 'mem', '-t', '16', '-R', `@RG\\tID:${s}\\tSM:${s}\\tPL:ILLUMINA`, REF, `/keep/reads/${s}_R1.fastq.gz`, `/keep/reads/${s}_R2.fastq.gz`],
    outputs: (s) => [`${s}.bam`],
  },
  sort: {
    step: 'samtools-sort', image: 'quay.io/biocontainers/samtools:1.19--h50ea8bc_0', vcpus: 8, ramGiB: 16, runSeconds: [15, 60], failRate: 0.02, exitCodes: FAIL_CODES,
    command: (s) => ['samtools', 'sort', '-@', '8', '-o', `/out/${s}.sorted.bam`, `/keep/aligned/${s}.bam`],
    outputs: (s) => [`${s}.sorted.bam`, `${s}.sorted.bam.bai`],
  },
  markdup: {
    step: 'gatk-markduplicates', image: 'broadinstitute/gatk:4.5.0.0', vcpus: 4, ramGiB: 24, runSeconds: [30, 90], failRate: 0.03, exitCodes: FAIL_CODES,
    command: (s) => ['gatk', 'MarkDuplicates', '-I', `/keep/aligned/${s}.sorted.bam`, '-O', `/out/${s}.md.bam`, '-M', `/out/${s}.metrics.txt`],
    outputs: (s) => [`${s}.md.bam`, `${s}.md.bai`, `${s}.metrics.txt`],
  },
  haplotypecaller: {
    step: 'haplotypecaller', image: 'broadinstitute/gatk:4.5.0.0', vcpus: 4, ramGiB: 16, runSeconds: [30, 150], failRate: 0.05, exitCodes: FAIL_CODES,
    command: (s) => ['gatk', 'HaplotypeCaller', '-R', REF, '-I', `/keep/aligned/${s}.md.bam`, '-O', `/out/${s}.g.vcf.gz`, '-ERC', 'GVCF'],
    outputs: (s) => [`${s}.g.vcf.gz`, `${s}.g.vcf.gz.tbi`],
  },
  genotype: {
    step: 'genotypegvcfs', image: 'broadinstitute/gatk:4.5.0.0', vcpus: 4, ramGiB: 16, runSeconds: [20, 60], failRate: 0.03, exitCodes: FAIL_CODES,
    command: (s) => ['gatk', 'GenotypeGVCFs', '-R', REF, '-V', `/keep/gvcf/${s}.g.vcf.gz`, '-O', `/out/${s}.vcf.gz`],
    outputs: (s) => [`${s}.vcf.gz`, `${s}.vcf.gz.tbi`],
  },
  deepvariant: {
    step: 'deepvariant', image: 'google/deepvariant:1.6.1', vcpus: 32, ramGiB: 64, runSeconds: [90, 300], failRate: 0.06, exitCodes: FAIL_CODES,
    command: (s) => ['/opt/deepvariant/bin/run_deepvariant', '--model_type=WGS', `--ref=${REF}`, `--reads=/keep/aligned/${s}.md.bam`, `--output_vcf=/out/${s}.vcf.gz`, '--num_shards=32'],
    outputs: (s) => [`${s}.vcf.gz`, `${s}.vcf.gz.tbi`, `${s}.visual_report.html`],
  },
  star: {
    step: 'star-align', image: 'quay.io/biocontainers/star:2.7.11a--h0033a41_0', vcpus: 16, ramGiB: 40, runSeconds: [40, 120], failRate: 0.05, exitCodes: FAIL_CODES,
    command: (s) => ['STAR', '--runThreadN', '16', '--genomeDir', '/keep/star-index/GRCh38', '--readFilesIn', `/keep/reads/${s}_R1.fastq.gz`, `/keep/reads/${s}_R2.fastq.gz`, '--readFilesCommand', 'zcat', '--outSAMtype', 'BAM', 'SortedByCoordinate'],
    outputs: (s) => [`${s}.Aligned.sortedByCoord.out.bam`, `${s}.Log.final.out`, `${s}.SJ.out.tab`],
  },
  featurecounts: {
    step: 'featurecounts', image: 'quay.io/biocontainers/subread:2.0.6--he4a0461_0', vcpus: 8, ramGiB: 8, runSeconds: [10, 40], failRate: 0.03, exitCodes: FAIL_CODES,
    command: (s) => ['featureCounts', '-T', '8', '-p', '-a', '/keep/annotation/gencode.v44.annotation.gtf', '-o', `/out/${s}.counts.txt`, '/keep/aligned/'],
    outputs: (s) => [`${s}.counts.txt`, `${s}.counts.txt.summary`],
  },
  multiqc: {
    step: 'multiqc', image: 'ewels/multiqc:v1.21', vcpus: 1, ramGiB: 2, runSeconds: [5, 20], failRate: 0.01, exitCodes: FAIL_CODES,
    command: () => ['multiqc', '--outdir', '/out', '/keep/qc/'],
    outputs: () => ['multiqc_report.html', 'multiqc_data/multiqc_general_stats.txt'],
  },
  bcftools: {
    step: 'bcftools-stats', image: 'quay.io/biocontainers/bcftools:1.19--h8b25389_0', vcpus: 2, ramGiB: 4, runSeconds: [8, 30], failRate: 0.02, exitCodes: FAIL_CODES,
    command: (s) => ['bcftools', 'stats', '--threads', '2', `/keep/vcf/${s}.vcf.gz`],
    outputs: (s) => [`${s}.bcftools.stats.txt`],
  },
} satisfies Record<string, Tool>;

export const TEMPLATES: ReadonlyArray<readonly [Template, number]> = [
  [{ type: 'tool', name: (s) => `bwa-mem alignment: sample ${s}`, subject: sample, tool: TOOLS.bwa }, 5],
  [{ type: 'tool', name: (s) => `GATK HaplotypeCaller ${s}`, subject: (rng) => rng.pick(CHROMOSOMES), tool: TOOLS.haplotypecaller }, 4],
  [{ type: 'tool', name: (s) => `samtools sort + index: ${s}.bam`, subject: sample, tool: TOOLS.sort }, 3],
  [{ type: 'tool', name: (s) => `FastQC: ${s}`, subject: sample, tool: TOOLS.fastqc }, 4],
  [{ type: 'tool', name: (s) => `DeepVariant: ${s} (WGS)`, subject: sample, tool: TOOLS.deepvariant }, 2],
  [{ type: 'tool', name: (s) => `bcftools stats: ${s}`, subject: sample, tool: TOOLS.bcftools }, 2],
  [{ type: 'tool', name: (s) => `featureCounts: ${s}`, subject: (rng) => rng.pick(RNA_SAMPLES), tool: TOOLS.featurecounts }, 1],
  [{
    type: 'workflow', name: (s) => `WGS germline pipeline: ${s}`, subject: sample,
    stages: [
      { tool: TOOLS.fastqc, scatter: [1, 2] },
      { tool: TOOLS.bwa, scatter: [2, 4] },
      { tool: TOOLS.markdup, scatter: [1, 1] },
      { tool: TOOLS.haplotypecaller, scatter: [3, 6], parts: CHROMOSOMES },
      { tool: TOOLS.genotype, scatter: [1, 1] },
    ],
  }, 3],
  [{
    type: 'workflow', name: (s) => `Cohort joint calling: ${s}`, subject: batch,
    stages: [
      { tool: TOOLS.fastqc, scatter: [1, 2] },
      // One sub-workflow per chromosome, each scattering its own steps: workflow → steps → sub-steps.
      { tool: { ...TOOLS.haplotypecaller, step: 'call_region' }, scatter: [2, 3], parts: CHROMOSOMES, sub: [
        { tool: TOOLS.haplotypecaller, scatter: [1, 2] },
        { tool: TOOLS.bcftools, scatter: [1, 1] },
      ] },
      { tool: TOOLS.genotype, scatter: [1, 1] },
    ],
  }, 2],
  [{
    type: 'workflow', name: (s) => `RNA-seq: STAR + featureCounts (batch ${s})`, subject: batch,
    stages: [
      { tool: TOOLS.fastqc, scatter: [2, 4] },
      { tool: TOOLS.star, scatter: [2, 4] },
      { tool: TOOLS.featurecounts, scatter: [1, 1] },
      { tool: TOOLS.multiqc, scatter: [1, 1] },
    ],
  }, 2],
  [{
    type: 'workflow', name: (s) => `Exome QC: ${s}`, subject: sample,
    stages: [
      { tool: TOOLS.fastqc, scatter: [1, 2] },
      { tool: TOOLS.bcftools, scatter: [1, 1] },
      { tool: TOOLS.multiqc, scatter: [1, 1] },
    ],
  }, 1],
];

/** The arvados-cwl-runner container every workflow's top-level request runs. */
export const RUNNER = {
  image: 'arvados/jobs:2.7.4',
  command: (workflowFile: string) => ['arvados-cwl-runner', '--local', '--api=containers', '--no-log-timestamps', '--disable-color', `/var/lib/cwl/workflow.json#${workflowFile}`, '/var/lib/cwl/cwl.input.json'],
  vcpus: 1,
  ramGiB: 1,
};

export function runtimeConstraints(vcpus: number, ramGiB: number): Record<string, unknown> {
  return { vcpus, ram: ramGiB * GiB, API: true, keep_cache_ram: 0, keep_cache_disk: 2 * GiB };
}

export const PROJECT_NAMES = {
  top: ['WGS cohort 2024', 'Exome reanalysis', 'RNA-seq: liver time course', 'GIAB benchmarks', 'Scratch', 'Pharmacogenomics panel', 'Long-read pilot'],
  sub: ['Batch 1', 'Batch 2', 'QC reports', 'Pilot runs', 'Reference data', 'Failed runs (to triage)', 'Figures'],
  other: ['Tumor/normal pilot (restricted)', 'Single-cell atlas', 'Grant renewal figures', 'Clinical validation (IRB 2291)'],
};

/** What users write in a draft request's description before committing it. */
export const DRAFT_NOTES = [
  'Re-run with the corrected sample sheet.',
  'Same as last week, new reads from lane 3.',
  'Testing the new reference bundle.',
];

export const PROJECT_DESCRIPTIONS = [
  'Inputs, intermediate outputs and final call sets.',
  'Runs for the Q3 review. Do not delete before the data freeze.',
  'See the lab notebook, page 42, for the sample sheet.',
];

/** A collection a user uploads: its name and files. */
export function upload(rng: SimRandom): { name: string; files: string[] } {
  const s = rng.pick(SAMPLES);
  const lane = rng.int(1, 8);
  return rng.weighted<{ name: string; files: string[] }>([
    [{ name: `${s}_R${lane % 2 + 1}.fastq.gz`, files: [`${s}_R${lane % 2 + 1}.fastq.gz`] }, 3],
    [{ name: `Reads: ${s} lane ${lane}`, files: [`${s}_L00${lane}_R1.fastq.gz`, `${s}_L00${lane}_R2.fastq.gz`] }, 3],
    [{ name: 'Reference: GRCh38 + bwa index', files: ['GRCh38.fa', 'GRCh38.fa.fai', 'GRCh38.fa.amb', 'GRCh38.fa.ann', 'GRCh38.fa.bwt', 'GRCh38.fa.pac', 'GRCh38.fa.sa'] }, 1],
    [{ name: `Sample sheet (batch ${rng.int(1, 12)})`, files: ['samples.csv'] }, 2],
    [{ name: `Capture targets: exome v${rng.int(6, 8)}`, files: ['targets.bed', 'baits.bed'] }, 1],
  ]);
}

/** A file a user adds to an existing collection. */
export function addedFile(rng: SimRandom): string {
  return rng.pick(['README.md', 'md5sums.txt', `notes_${rng.int(1, 99)}.txt`, 'samples.csv', 'qc_summary.tsv']);
}

export function renamed(name: string, rng: SimRandom): string {
  const s = rng.pick(SAMPLES);
  return rng.weighted<string>([
    [`${name} (final)`, 3],
    [`${name} v2`, 2],
    [`${s} aligned BAM`, 1],
    [`${s}: final call set`, 1],
    [`[keep] ${name}`, 1],
  ]);
}

/** Files and sizes for a collection manifest. */
export function fileList(names: string[], rng: SimRandom): Array<{ name: string; size: number }> {
  return names.map((name) => ({ name, size: /\.(bam|fastq\.gz|fa|bwt|sa|pac)$/.test(name) ? rng.int(2e8, 9e9) : rng.int(2_000, 5e7) }));
}

/**
 * A one-stream manifest (one block locator per file) and its portable data hash, computed as
 * Arvados does: MD5 of the manifest text, `+`, its length.
 */
export function manifest(files: Array<{ name: string; size: number }>, rng: SimRandom): { manifest_text: string; portable_data_hash: string; file_count: number; file_size_total: number } {
  const locators = files.map((f) => `${rng.hex(32)}+${f.size}`);
  let offset = 0;
  const segments = files.map((f) => {
    const seg = `${offset}:${f.size}:${f.name.replace(/ /g, '\\040')}`;
    offset += f.size;
    return seg;
  });
  const text = files.length ? `. ${locators.join(' ')} ${segments.join(' ')}\n` : '';
  const pdh = `${createHash('md5').update(text).digest('hex')}+${Buffer.byteLength(text)}`;
  return { manifest_text: text, portable_data_hash: pdh, file_count: files.length, file_size_total: offset };
}

export const LOG_FILES = ['crunch-run.txt', 'crunchstat.txt', 'hoststat.txt', 'node-info.txt', 'arv-mount.txt', 'container.json', 'stderr.txt', 'stdout.txt'];

/** Texts of `dispatch` log rows (sdk/go/dispatch, crunch-dispatch-slurm). */
export function dispatchErrorText(containerUuid: string, rng: SimRandom): string {
  return rng.pick([
    `Error submitting container ${containerUuid} to slurm: sbatch: error: Batch job submission failed: Socket timed out on send/recv operation`,
    `Error submitting container ${containerUuid} to slurm: exit status 1 (sbatch: error: slurm_receive_msg: Zero Bytes were transmitted or received)`,
    `Error running container ${containerUuid}: arvados API server error: 503 Service Unavailable`,
  ]);
}

export function unsatisfiableText(containerUuid: string, vcpus: number, ramGiB: number): string {
  return (
    `cannot run container ${containerUuid}: constraints not satisfiable (requested ${vcpus} VCPUs, ${ramGiB * GiB} RAM)\n` +
    'Available instance types:\n' +
    `Type "m5.2xlarge": 8 VCPUs, ${32 * GiB} RAM, ${100 * GiB} Scratch, 0.384000 Price\n` +
    `Type "r5.4xlarge": 16 VCPUs, ${128 * GiB} RAM, ${200 * GiB} Scratch, 1.008000 Price\n`
  );
}

export const RUNTIME_WARNINGS: ReadonlyArray<Record<string, string>> = [
  { warning: 'arv-mount: Keep write error', warningDetail: 'Keep write error: 1 of 2 writes failed, retrying' },
  { warning: 'Container is using more than 90% of its memory', warningDetail: 'RSS 14.6 GiB of 16 GiB' },
  { activity: 'copying output files' },
];

export function failureStatus(exitCode: number): Record<string, string> {
  return exitCode === 137
    ? { error: 'Container exited with status code 137', errorDetail: 'Container used 100% of its memory (out of memory?)' }
    : { error: `Container exited with status code ${exitCode}` };
}

export const INFRA_FAILURES: ReadonlyArray<Record<string, string>> = [
  { error: 'arvados-dispatch-cloud: cloud instance was reclaimed (spot interruption)' },
  { error: 'arvados-dispatch-cloud: instance became unresponsive', errorDetail: 'no heartbeat from crunch-run for 5m0s' },
  { error: 'crunch-run: cannot pull image: context deadline exceeded' },
];
