import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type Database, openDatabase } from '../src/db/connect.ts';

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

/** The p-th percentile of samples (nearest rank). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** A fresh PostgreSQL database for one benchmark run, created from `adminUrl` and dropped by `drop`. */
export async function benchPostgres(
  adminUrl: string,
  poolMax = 10,
): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  const name = `confiance_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.href, poolMax });
  return {
    database,
    url: url.href,
    drop: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
