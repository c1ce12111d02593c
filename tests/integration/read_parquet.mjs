// Reads a Parquet file with two independent readers and prints what each sees as JSON, so a
// test can compare it with the values it wrote:
//   node tests/integration/read_parquet.mjs FILE.parquet [SQL ...]
// {"duckdb": {columns, schema, kv, file, chunks, rows, wkt, queries}, "hyparquet": {columns,
//  num_rows, row_groups, kv, created_by, rows}}
// Each extra SQL argument is run by DuckDB with {file} replaced by read_parquet(FILE); its rows
// land in duckdb.queries (filters there exercise DuckDB's row-group pruning on our statistics).
// Values are made JSON-exact: 64-bit integers and timestamps (microseconds) as decimal
// strings, bytes as hex, NaN / -0 / infinities as strings.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import {
  DuckDBBlobValue, DuckDBGeometryValue, DuckDBInstance, DuckDBTimestampTZValue, DuckDBTimestampValue,
} from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';

function norm(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (Object.is(v, -0)) return '-0';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return v;
  }
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return { hex: Buffer.from(v).toString('hex') };
  if (v instanceof DuckDBBlobValue) return { hex: Buffer.from(v.bytes).toString('hex') };
  if (v instanceof DuckDBGeometryValue) return { wkb: Buffer.from(v.bytes).toString('hex') };
  if (v instanceof DuckDBTimestampTZValue) return { micros: v.micros.toString(), tz: true };
  if (v instanceof DuckDBTimestampValue) return { micros: v.micros.toString(), tz: false };
  if (v instanceof Date) return { date: v.toISOString() };
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return String(v);
}

async function readWithDuckDB(file, queries) {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const f = `'${file.replaceAll("'", "''")}'`;
  const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjects().map(norm);
  const columns = await rows(`DESCRIBE SELECT * FROM read_parquet(${f})`);
  const out = {
    columns: columns.map((c) => ({ name: c.column_name, type: c.column_type })),
    schema: await rows(`SELECT name, type, converted_type, logical_type, repetition_type, num_children
                        FROM parquet_schema(${f})`),
    kv: Object.fromEntries((await rows(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${f})`))
      .map((r) => [r.k, r.v])),
    file: (await rows(`SELECT created_by, num_rows, num_row_groups, format_version FROM parquet_file_metadata(${f})`))[0],
    chunks: await rows(`SELECT row_group_id, row_group_num_rows, path_in_schema, type, compression, num_values,
                               stats_min_value, stats_max_value, stats_null_count
                        FROM parquet_metadata(${f}) ORDER BY row_group_id, column_id`),
    rows: await rows(`SELECT * FROM read_parquet(${f})`),
  };
  // DuckDB's own rendering of each geometry (its WKB decoder, independent of ours).
  const geometry = out.columns.find((c) => c.name === 'geometry');
  if (geometry && geometry.type.startsWith('GEOMETRY')) {
    out.wkt = (await rows(`SELECT geometry::VARCHAR AS wkt FROM read_parquet(${f})`)).map((r) => r.wkt);
  }
  out.queries = [];
  for (const sql of queries) out.queries.push(await rows(sql.replaceAll('{file}', `read_parquet(${f})`)));
  con.closeSync();
  instance.closeSync();
  return out;
}

async function readWithHyparquet(file) {
  const bytes = await readFile(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(buffer);
  const schema = parquetSchema(metadata);
  const rows = await parquetReadObjects({
    file: buffer,
    metadata,
    compressors: { GZIP: (input) => new Uint8Array(gunzipSync(input)) },
    parsers: { timestampFromMicroseconds: (micros) => ({ micros: micros.toString() }) },
  });
  return {
    columns: schema.children.map((c) => ({
      name: c.element.name,
      type: c.element.type,
      repetition: c.element.repetition_type,
      converted_type: c.element.converted_type ?? null,
      logical_type: c.element.logical_type ?? null,
    })),
    num_rows: metadata.num_rows,
    row_groups: metadata.row_groups.map((g) => ({
      num_rows: g.num_rows,
      codecs: g.columns.map((c) => c.meta_data.codec),
    })),
    kv: Object.fromEntries((metadata.key_value_metadata ?? []).map(({ key, value }) => [key, value])),
    created_by: metadata.created_by,
    rows: rows.map(norm),
  };
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node read_parquet.mjs FILE.parquet [SQL ...]');
  process.exit(2);
}
const result = { duckdb: await readWithDuckDB(file, process.argv.slice(3)), hyparquet: await readWithHyparquet(file) };
process.stdout.write(JSON.stringify(norm(result)) + '\n');
