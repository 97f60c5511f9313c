#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate a JSON document against one of husk's schemas.

usage: schema-check.py SCHEMA [FILE|-]

SCHEMA is config, process, resources, state, features or check (schema/*.json, or
HUSK_SCHEMA_DIR).  FILE defaults to stdin.  Exits 0 when the document is
valid, 1 with one line per problem (JSON path: message) when it is not,
2 on usage errors or unreadable input.
"""
import json
import os
import pathlib
import sys

import jsonschema

# name -> (schema file, JSON pointer inside it)
SCHEMAS = {
    "config": ("config-schema.json", ""),
    "process": ("config-schema.json", "/definitions/process"),
    "resources": ("config-schema.json", "/definitions/resources"),
    "state": ("state-schema.json", ""),
    "features": ("features-schema.json", ""),
    "check": ("check-schema.json", ""),
}


def schema_dir():
    env = os.environ.get("HUSK_SCHEMA_DIR")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parent.parent / "schema"


def load_schemas(directory):
    """Every schema file, by its $id."""
    schemas = {}
    for path in sorted(directory.glob("*.json")):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        schemas[doc["$id"]] = doc
    return schemas


def make_validator(schemas, root_id, pointer):
    root = schemas[root_id]
    schema = {"$ref": root_id + "#" + pointer} if pointer else root
    cls = jsonschema.validators.validator_for(root)
    cls.check_schema(root)
    try:
        # jsonschema >= 4.18 resolves references through `referencing`.
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7
    except ImportError:
        resolver = jsonschema.RefResolver(base_uri=root_id, referrer=root, store=schemas)
        return cls(schema, resolver=resolver)
    registry = Registry().with_resources(
        (uri, Resource.from_contents(doc, default_specification=DRAFT7))
        for uri, doc in schemas.items())
    return cls(schema, registry=registry)


def json_path(error):
    out = ""
    for part in error.absolute_path:
        if isinstance(part, int):
            out += "[%d]" % part
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


def main(argv):
    if len(argv) not in (2, 3) or argv[1] not in SCHEMAS:
        sys.stderr.write("usage: schema-check.py {%s} [FILE|-]\n" % "|".join(SCHEMAS))
        return 2
    name = argv[1]
    source = argv[2] if len(argv) == 3 else "-"
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as f:
                text = f.read()
        document = json.loads(text)
    except (OSError, ValueError) as e:
        sys.stderr.write("schema-check: %s: %s\n" % (source, e))
        return 2

    filename, pointer = SCHEMAS[name]
    schemas = load_schemas(schema_dir())
    root_id = next(uri for uri in schemas if uri.endswith("/" + filename))
    validator = make_validator(schemas, root_id, pointer)

    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for e in errors:
        sys.stderr.write("%s: %s: %s\n" % (source, json_path(e), e.message))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
