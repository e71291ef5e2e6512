#!/usr/bin/env python3
"""Writes the openAPIV3Schema of one version of a CustomResourceDefinition as JSON, unchanged.

Maintenance tool, not run by CI: refresh a committed schema after upgrading an operator, e.g.
  git show 1.2.0:packaging/install/cluster-operator/040-Crd-kafka.yaml \
    | deploy/validate/schemas/extract.py v1 > deploy/validate/schemas/kafka.strimzi.io_v1_Kafka.json
Record the source (repository, tag, commit, path) in schemas/README.md.
"""
import json
import sys

import yaml

version = sys.argv[1]
docs = [d for d in yaml.safe_load_all(sys.stdin) if d and d.get("kind") == "CustomResourceDefinition"]
if len(docs) != 1:
    sys.exit(f"expected one CustomResourceDefinition on stdin, found {len(docs)}")
for v in docs[0]["spec"]["versions"]:
    if v["name"] == version:
        json.dump(v["schema"]["openAPIV3Schema"], sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
        break
else:
    sys.exit(f"version {version} not in {[v['name'] for v in docs[0]['spec']['versions']]}")
