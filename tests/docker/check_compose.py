#!/usr/bin/env python3
"""Checks docker/compose.yaml without a Docker engine.

- compose.yaml parses as YAML and has the services of the stack;
- every file a service references exists: build context and Dockerfile, bind-mounted files and
  folders, env files; named volumes are declared;
- every COPY/ADD source of each Dockerfile exists in its build context and is not excluded by
  the Dockerfile's .dockerignore;
- the files agree with each other: Prometheus scrapes the rwproxy service on the metrics port of
  docker/rwproxy.toml, which listens on 0.0.0.0 and has its ports published; rwproxy's backends
  and the replicas' MASTER_HOST are compose services; Grafana's datasource is the prometheus
  service; server ids are unique (master 1, replica i 1 + i as in scripts/topology.sh) and
  replicas run read_only.

usage: check_compose.py --compose docker/compose.yaml
"""
import argparse
import fnmatch
import glob
import os
import re
import sys
import tomllib
from urllib.parse import urlparse

try:
    import yaml
except ImportError:
    print("check_compose: python3 yaml module missing: apt-get install python3-yaml "
          "(listed in scripts/install-deps.sh)", file=sys.stderr)
    sys.exit(1)

SERVICES = ("master", "replica1", "replica2", "rwproxy", "prometheus", "grafana")
problems = []


def problem(text):
    problems.append(text)


def load_yaml(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        problem(f"{path}: {e}")
        return None


def is_bind_source(source):
    return source.startswith((".", "/", "~"))


def volume_mounts(service):
    """(source, target) of each volume, short or long syntax."""
    for volume in service.get("volumes", []) or []:
        if isinstance(volume, str):
            parts = volume.split(":")
            if len(parts) == 1:
                continue  # anonymous volume
            yield parts[0], parts[1]
        elif isinstance(volume, dict) and volume.get("source"):
            yield volume["source"], volume.get("target", "")


def mount_for(service, base, target):
    """Host path mounted at TARGET in the container, or None."""
    for source, mounted_at in volume_mounts(service):
        if mounted_at == target and is_bind_source(source):
            return os.path.normpath(os.path.join(base, os.path.expanduser(source)))
    return None


def dockerignore_patterns(dockerfile, context):
    for candidate in (dockerfile + ".dockerignore", os.path.join(context, ".dockerignore")):
        if os.path.exists(candidate):
            with open(candidate, encoding="utf-8") as f:
                return candidate, [line.strip().rstrip("/") for line in f
                                   if line.strip() and not line.lstrip().startswith("#")]
    return None, []


def ignored(relative, patterns):
    parts = relative.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        for pattern in patterns:
            if pattern.startswith("!"):
                continue
            if fnmatch.fnmatchcase(prefix, pattern) or fnmatch.fnmatchcase(prefix, pattern.replace("**/", "")):
                return pattern
    return None


def check_dockerfile(dockerfile, context):
    ignore_file, patterns = dockerignore_patterns(dockerfile, context)
    with open(dockerfile, encoding="utf-8") as f:
        text = re.sub(r"\\\n", " ", f.read())
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].upper() not in ("COPY", "ADD"):
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        if any(w.startswith("--from") for w in words[1:]) or len(args) < 2:
            continue
        if args[0].startswith("["):
            continue  # JSON form: not used here
        for source in args[:-1]:
            path = os.path.normpath(os.path.join(context, source))
            if not glob.glob(path):
                problem(f"{dockerfile}: COPY source '{source}' does not exist in the build context {context}")
                continue
            relative = os.path.relpath(path, context)
            if relative != "." and (pattern := ignored(relative, patterns)):
                problem(f"{dockerfile}: COPY source '{source}' is excluded by '{pattern}' in {ignore_file}")


def check_service_files(name, service, base):
    build = service.get("build")
    if build is not None:
        if isinstance(build, str):
            build = {"context": build}
        context = os.path.normpath(os.path.join(base, build.get("context", ".")))
        dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
        if not os.path.isdir(context):
            problem(f"service {name}: build context {context} is not a folder")
        elif not os.path.isfile(dockerfile):
            problem(f"service {name}: Dockerfile {dockerfile} does not exist")
        else:
            check_dockerfile(dockerfile, context)
    elif not service.get("image"):
        problem(f"service {name}: neither image nor build")

    for source, target in volume_mounts(service):
        if is_bind_source(source):
            path = os.path.normpath(os.path.join(base, os.path.expanduser(source)))
            if not os.path.exists(path):
                problem(f"service {name}: bind mount source {source} ({path}) does not exist (mounted at {target})")
        elif source not in (compose.get("volumes") or {}):
            problem(f"service {name}: named volume {source} is not declared under top-level volumes")

    env_files = service.get("env_file", [])
    for env_file in [env_files] if isinstance(env_files, str) else env_files:
        path = env_file if isinstance(env_file, str) else env_file.get("path", "")
        if not os.path.isfile(os.path.join(base, path)):
            problem(f"service {name}: env_file {path} does not exist")


def command_args(service):
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else list(command)


def check_consistency(services, base):
    # rwproxy's config: the file mounted at /etc/rwproxy/rwproxy.toml.
    rwproxy = services.get("rwproxy", {})
    config_path = mount_for(rwproxy, base, "/etc/rwproxy/rwproxy.toml")
    if not config_path:
        problem("service rwproxy: no config bind-mounted at /etc/rwproxy/rwproxy.toml")
        return
    try:
        with open(config_path, "rb") as f:
            config = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        problem(f"{config_path}: {e}")
        return
    proxy, metrics = config.get("proxy", {}), config.get("metrics", {})
    proxy_port, metrics_port = proxy.get("listen_port", 6033), metrics.get("listen_port", 9187)
    for section, values in (("proxy", proxy), ("metrics", metrics)):
        if values.get("listen_address") != "0.0.0.0":
            problem(f"{config_path}: {section}.listen_address must be \"0.0.0.0\" in a container "
                    f"(is {values.get('listen_address')!r})")
    if not metrics.get("enabled", True):
        problem(f"{config_path}: metrics.enabled is false, Prometheus would scrape nothing")
    if not config.get("monitor", {}).get("enabled", False):
        problem(f"{config_path}: monitor.enabled must be true (the dashboard shows its lag and health)")
    published = set()
    for port in rwproxy.get("ports", []) or []:
        published.add(int(str(port).split(":")[-1].split("/")[0]))
    for port, what in ((proxy_port, "proxy.listen_port"), (metrics_port, "metrics.listen_port")):
        if port not in published:
            problem(f"service rwproxy: {what} {port} of {config_path} is not published (ports: {sorted(published)})")
    for backend in config.get("backends", []):
        if backend.get("host") not in services:
            problem(f"{config_path}: backend {backend.get('name')} host {backend.get('host')!r} is not a compose service")

    # Prometheus scrapes rwproxy:<metrics port>.
    prometheus = services.get("prometheus", {})
    prometheus_path = mount_for(prometheus, base, "/etc/prometheus/prometheus.yml")
    if not prometheus_path:
        problem("service prometheus: no config bind-mounted at /etc/prometheus/prometheus.yml")
    elif (prometheus_config := load_yaml(prometheus_path)) is not None:
        targets = [t for job in prometheus_config.get("scrape_configs", [])
                   for static in job.get("static_configs", []) for t in static.get("targets", [])]
        if f"rwproxy:{metrics_port}" not in targets:
            problem(f"{prometheus_path}: does not scrape rwproxy:{metrics_port} (targets: {targets})")

    # Grafana's datasource points at the prometheus service.
    grafana = services.get("grafana", {})
    provisioning = mount_for(grafana, base, "/etc/grafana/provisioning")
    if not provisioning:
        problem("service grafana: no provisioning folder bind-mounted at /etc/grafana/provisioning")
    else:
        urls = []
        for path in sorted(glob.glob(os.path.join(provisioning, "datasources", "*.y*ml"))):
            doc = load_yaml(path) or {}
            urls += [d.get("url", "") for d in doc.get("datasources", [])]
        if not any(urlparse(url).hostname == "prometheus" and urlparse(url).port == 9090 for url in urls):
            problem(f"{provisioning}/datasources: no datasource at http://prometheus:9090 (urls: {urls})")
        for path in sorted(glob.glob(os.path.join(provisioning, "dashboards", "*.y*ml"))):
            doc = load_yaml(path) or {}
            for provider in doc.get("providers", []):
                folder = provider.get("options", {}).get("path")
                host_folder = mount_for(grafana, base, folder)
                if not host_folder:
                    problem(f"{path}: dashboards path {folder} is not bind-mounted into the grafana service")
                elif not glob.glob(os.path.join(host_folder, "*.json")):
                    problem(f"{path}: no dashboard JSON in {host_folder}")

    # MariaDB: server ids as in scripts/topology.sh, replicas read-only and replicating from master.
    for name, service in services.items():
        if not str(service.get("image", "")).startswith("mariadb:"):
            continue
        args = command_args(service)
        index = 0 if name == "master" else int(name[len("replica"):]) if name.startswith("replica") else None
        if index is None:
            problem(f"service {name}: a mariadb service is named master or replicaN")
            continue
        if f"--server-id={1 + index}" not in args:
            problem(f"service {name}: command must set --server-id={1 + index} (scripts/topology.sh: master 1, "
                    f"replica i = 1 + i); has {args}")
        if (name != "master") != ("--read-only=ON" in args):
            problem(f"service {name}: --read-only=ON is for replicas only; command {args}")
        init = mount_for(service, base, "/docker-entrypoint-initdb.d")
        if not init or not glob.glob(os.path.join(init, "*.sql")):
            problem(f"service {name}: no *.sql init scripts bind-mounted at /docker-entrypoint-initdb.d")
            continue
        if name != "master":
            sql = "".join(open(p, encoding="utf-8").read() for p in sorted(glob.glob(os.path.join(init, "*.sql"))))
            host = re.search(r"MASTER_HOST\s*=\s*'([^']*)'", sql)
            if not host or host.group(1) != "master":
                problem(f"service {name}: init scripts in {init} must replicate from MASTER_HOST='master'")
            if not re.search(r"MASTER_USE_GTID\s*=\s*slave_pos", sql, re.I):
                problem(f"service {name}: init scripts in {init} must use MASTER_USE_GTID=slave_pos")
            depends = service.get("depends_on", {})
            if "master" not in depends:
                problem(f"service {name}: must depend on master")


def main():
    global compose
    parser = argparse.ArgumentParser()
    parser.add_argument("--compose", required=True)
    args = parser.parse_args()
    base = os.path.dirname(os.path.abspath(args.compose))

    compose = load_yaml(args.compose)
    if not isinstance(compose, dict) or not isinstance(compose.get("services"), dict):
        problem(f"{args.compose}: no services mapping")
    else:
        services = compose["services"]
        for name in SERVICES:
            if name not in services:
                problem(f"{args.compose}: service {name} is missing")
        for name, service in services.items():
            check_service_files(name, service or {}, base)
        check_consistency(services, base)

    if problems:
        for text in problems:
            print(f"check_compose: {text}", file=sys.stderr)
        sys.exit(1)
    print(f"check_compose: {args.compose}: {len(compose['services'])} services, referenced files exist; OK")


compose = {}
if __name__ == "__main__":
    main()
