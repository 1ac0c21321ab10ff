#!/usr/bin/env python3
"""Checks that docker/rwproxy.toml is config/rwproxy.toml adapted to the compose stack.

Both files must have the same keys (same sections, same number of [[backends]], [[users]],
[[rules]]) and the same values, except the keys that exist to fit the containers:
  proxy.listen_address, metrics.listen_address   "0.0.0.0" (listen on the container's interfaces)
  backends[i].host                               the compose service named like the backend
  backends[i].port                               3306 (MariaDB's port in the compose network)
A [metrics] section may exist only in docker/rwproxy.toml while the example has none. The
example's [tls] is left out of docker/rwproxy.toml: it names certificate files of the local
topology (scripts/topology.sh makes a throwaway CA), and a container gets TLS from the operator's
own files, mounted with a config that names them (docker/README.md); so does
proxy.caching_sha2_password_private_key_path. [backend_tls] and [[backends]] tls_mode are left
out too: the compose stack's MariaDB servers run without TLS.

usage: check_proxy_config.py --example config/rwproxy.toml --docker docker/rwproxy.toml
"""
import argparse
import sys
import tomllib

DOCKER_VALUES = {
    "proxy.listen_address": "0.0.0.0",
    "metrics.listen_address": "0.0.0.0",
}
MARIADB_PORT = 3306


def flatten(value, path=""):
    """{'a': {'b': 1}, 'l': [{'x': 2}]} -> {'a.b': 1, 'l[0].x': 2}"""
    out = {}
    if isinstance(value, dict):
        for key, child in value.items():
            out.update(flatten(child, f"{path}.{key}" if path else key))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, child in enumerate(value):
            out.update(flatten(child, f"{path}[{i}]"))
    else:
        out[path] = value
    return out


def load(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        print(f"check_proxy_config: {path}: {e}", file=sys.stderr)
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--example", required=True)
    parser.add_argument("--docker", required=True)
    args = parser.parse_args()

    example_doc, docker_doc = load(args.example), load(args.docker)
    example, docker = flatten(example_doc), flatten(docker_doc)
    problems = []

    for key in sorted(set(example) - set(docker)):
        if key.startswith("tls.") and "tls" not in docker_doc:
            continue  # TLS needs the operator's certificate files
        if key == "proxy.caching_sha2_password_private_key_path":
            continue  # a key file of the operator's (without it the container generates one)
        if (key.startswith("backend_tls.") and "backend_tls" not in docker_doc) or \
                (key.startswith("backends[") and key.endswith("].tls_mode")):
            continue  # the compose stack's MariaDB servers run without TLS
        problems.append(f"{key} is in {args.example} but not in {args.docker}")
    for key in sorted(set(docker) - set(example)):
        if key.startswith("metrics.") and "metrics" not in example_doc:
            continue  # the example has no [metrics] yet
        problems.append(f"{key} is in {args.docker} but not in {args.example}")

    docker_backends = docker_doc.get("backends", [])
    for key in sorted(set(example) & set(docker)):
        want = example[key]
        if key in DOCKER_VALUES:
            want = DOCKER_VALUES[key]
        elif key.startswith("backends[") and key.endswith("].host"):
            index = int(key[len("backends["):key.index("]")])
            want = docker_backends[index].get("name")  # the compose service has the backend's name
        elif key.startswith("backends[") and key.endswith("].port"):
            want = MARIADB_PORT
        if docker[key] != want:
            problems.append(f"{key} = {docker[key]!r} in {args.docker}, expected {want!r} "
                            f"(from {args.example}{'' if want == example[key] else ', adapted to docker'})")

    for key, want in DOCKER_VALUES.items():
        if key.split(".")[0] not in example_doc and docker.get(key) != want:
            problems.append(f"{key} = {docker.get(key)!r} in {args.docker}, expected {want!r}")

    if problems:
        for problem in problems:
            print(f"check_proxy_config: {problem}", file=sys.stderr)
        sys.exit(1)
    print(f"check_proxy_config: {args.docker} matches {args.example} ({len(docker)} keys); OK")


if __name__ == "__main__":
    main()
