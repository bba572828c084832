import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Figure {
  name: string;
  driver: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run. */
  baseline: { name: string; value: number };
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'inconnu',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const started = performance.now();
  const result = await fn();
  return { seconds: (performance.now() - started) / 1000, result };
}

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

/** Prints the figures as a table and writes bench/results/<name>.json. */
export function report(name: string, figures: Figure[], extra: Record<string, unknown> = {}): void {
  const format = (v: number) =>
    v < 100 ? v.toLocaleString('fr-FR', { maximumFractionDigits: 2 }) : Math.round(v).toLocaleString('fr-FR');
  const rows = figures.map((f) => ({
    mesure: f.name,
    base: f.driver,
    valeur: `${format(f.value)} ${f.unit}`,
    référence: `${f.baseline.name} : ${format(f.baseline.value)} ${f.unit}`,
    ratio: (f.value / f.baseline.value).toFixed(2),
  }));
  console.table(rows);
  mkdirSync(resultsDir, { recursive: true });
  const data = {
    benchmark: name,
    date: new Date().toISOString(),
    machine: machine(),
    ...extra,
    figures: figures.map((f) => ({ ...f, ratio: Number((f.value / f.baseline.value).toFixed(3)) })),
  };
  writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify(data, null, 2)}\n`);
  process.stdout.write(`Résultats écrits dans bench/results/${name}.json\n`);
}
