#!/usr/bin/python3
"""Validate STAC Items and Collections against the offline schemas in shared/reference.

usage: validate_stac.py SCHEMA_DIR FILE [FILE...]

Every "{{BASE_URL}}" placeholder is replaced by http://127.0.0.1:1 first (as the fixture
server would). Items are checked against the STAC 1.0.0 item schema, collections against the
collection schema and catalogs against the catalog schema, each also against every schema
named in its stac_extensions. $refs resolve through
SCHEMA_DIR/PROVENANCE.tsv, never the network: an extension without a local schema is an
error. Exits 1 if anything is invalid, naming the file and the JSON path.
"""
import json
import os
import sys

import jsonschema


def load_store(schema_dir):
    store = {}
    with open(os.path.join(schema_dir, "PROVENANCE.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2:
                continue
            local, url = cols[0], cols[1]
            with open(os.path.join(schema_dir, local), encoding="utf-8") as s:
                schema = json.load(s)
            for key in {url, url.rstrip("#"), url.rstrip("#") + "#", schema.get("$id", url), schema.get("$id", url).rstrip("#")}:
                store[key] = schema
    return store


def validator_for(url, store):
    schema = store.get(url) or store.get(url.rstrip("#"))
    if schema is None:
        raise KeyError(url)
    resolver = jsonschema.RefResolver(base_uri=url, referrer=schema, store=store)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    return cls(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    store = load_store(argv[1])
    item_url = "https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json"
    collection_url = "https://schemas.stacspec.org/v1.0.0/collection-spec/json-schema/collection.json"
    catalog_url = "https://schemas.stacspec.org/v1.0.0/catalog-spec/json-schema/catalog.json"
    core = {"Feature": item_url, "Collection": collection_url, "Catalog": catalog_url}
    failures = 0
    checked = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            text = f.read().replace("{{BASE_URL}}", "http://127.0.0.1:1")
        doc = json.loads(text)
        kind = doc.get("type")
        if kind not in core:
            print(f"{path}: type: {kind!r} is not Feature, Collection or Catalog")
            failures += 1
            continue
        urls = [core[kind]] + list(doc.get("stac_extensions", []))
        for url in urls:
            try:
                v = validator_for(url, store)
            except KeyError:
                print(f"{path}: stac_extensions: no local schema for {url}")
                failures += 1
                continue
            for err in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                where = "/".join(str(p) for p in err.absolute_path) or "(root)"
                print(f"{path}: {where}: {err.message[:300]} [{url}]")
                failures += 1
        checked += 1
    print(f"validated {checked} documents, {failures} errors")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
