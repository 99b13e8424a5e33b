"""Validates fitlake's deployment artifacts offline (no Docker engine, cluster or cloud account).

  validate_deploy.py [--root DIR] [--only compose,dockerfile,k8s,terraform,workflows]

- compose     docker-compose.yml loaded by compose-go, the compose CLI's own loader (schema,
              interpolation, merges, depends_on targets), with every profile; then: each
              `service_healthy` dependency has a healthcheck, images are pinned, nothing installs
              packages at start.
- dockerfile  Dockerfile and deploy/*/Dockerfile, hadolint-style rules: pinned bases, non-root
              USER, HEALTHCHECK where a server runs, npm ci, apt without recommends and lists removed.
- k8s         deploy/k8s/base and every overlay rendered by kustomize, validated with
              kubernetes-validate --strict (Kubernetes 1.33); the SparkApplication against the Spark
              Operator's CRD schema; every workload has probes and resources; no Secret in base.
- terraform   infra/terraform parsed with python-hcl2: variables typed and described, every var.X
              declared and every variable used, providers version-pinned, outputs described, the
              bucket encrypted, versioned, private, with lifecycle rules.
- workflows   .github/workflows checked by actionlint.

Prints one line per check; exits 1 when any fails. Tools: .tools/bin (scripts/install_deploy_tools.sh).
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import hcl2
import jsonschema
import yaml

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / ".tools" / "bin"
K8S_VERSION = "1.33"
SPARK_OPERATOR = "github.com/kubeflow/spark-operator/v2@v2.5.0"
CHECKS = ["compose", "dockerfile", "k8s", "terraform", "workflows"]


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, what, problems):
        problems = [p for p in problems if p]
        if problems:
            self.failures += len(problems)
            for p in problems:
                print(f"FAIL {what}: {p}")
        else:
            print(f"ok   {what}")


def tool(name, *args, cwd=None, env=None):
    path = TOOLS / name
    if not path.exists():
        sys.exit(f"validate_deploy: {path} is missing: run bash scripts/install_deploy_tools.sh")
    return subprocess.run([str(path), *args], cwd=cwd, env=env, capture_output=True, text=True)


# --- compose -------------------------------------------------------------------------------------

def dockerfile_stages(path):
    """Stage name (or '' for the last, unnamed one) -> the stage's instructions, for a Dockerfile."""
    stages, current = {}, None
    for line in logical_lines(path):
        m = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
        if m:
            current = (m.group(2) or "").lower()
            stages[current] = [line]
            if m.group(1).lower() in stages:  # FROM <stage>: inherits its instructions
                stages[current] = stages[m.group(1).lower()] + [line]
        elif current is not None:
            stages[current].append(line)
    return stages


def has_healthcheck(service):
    if service.get("healthcheck") and not service["healthcheck"].get("disable"):
        return True
    build = service.get("build")
    if not build:
        return False
    dockerfile = Path(build["context"]) / build.get("dockerfile", "Dockerfile")
    stages = dockerfile_stages(dockerfile)
    stage = stages.get((build.get("target") or "").lower()) or list(stages.values())[-1]
    return any(line.upper().startswith("HEALTHCHECK") and "NONE" not in line.upper() for line in stage)


def check_compose(root, report):
    problems = []
    model = None
    for profiles in ([], ["*"]):
        args = ["-f", str(root / "docker-compose.yml")] + [a for p in profiles for a in ("--profile", p)]
        out = tool("composeconfig", *args, env={**os.environ, "JUPYTER_TOKEN": "x"})
        if out.returncode != 0:
            problems.append(out.stderr.strip())
        elif profiles:
            model = yaml.safe_load(out.stdout)
    report.check("compose: compose-go loads docker-compose.yml (default and every profile)", problems)
    if model is None:
        return
    services = model["services"]
    problems = []
    for name, svc in sorted(services.items()):
        for dep, cond in (svc.get("depends_on") or {}).items():
            if cond.get("condition") == "service_healthy" and not has_healthcheck(services[dep]):
                problems.append(f"{name} waits for {dep} to be healthy, but {dep} has no healthcheck")
        image = svc.get("image", "")
        if not svc.get("build") and (":" not in image or image.endswith(":latest")):
            problems.append(f"{name}: image {image!r} is not pinned to a version")
        command = " ".join(svc.get("command") or []) + " " + " ".join(svc.get("entrypoint") or [])
        if re.search(r"\b(npm install|pip install|apt-get install)\b", command):
            problems.append(f"{name}: installs packages at every start ({command.strip()})")
    report.check("compose: health-based ordering, pinned images, nothing installed at start", problems)


# --- Dockerfiles ---------------------------------------------------------------------------------

def logical_lines(path):
    text = Path(path).read_text()
    text = re.sub(r"\\\n", " ", text)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def check_dockerfile(path, report, server_stages):
    problems = []
    lines = logical_lines(path)
    args = dict(re.findall(r"ARG\s+(\w+)=(\S+)", "\n".join(lines)))
    stages = set()
    for line in lines:
        m = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
        if m:
            base = re.sub(r"\$\{(\w+)\}", lambda v: args.get(v.group(1), v.group(0)), m.group(1))
            if base.lower() not in stages and (":" not in base or base.endswith(":latest")):
                problems.append(f"FROM {m.group(1)}: base image not pinned to a version")
            if m.group(2):
                stages.add(m.group(2).lower())
        if re.match(r"ADD\s+https?://", line, re.I):
            problems.append("ADD from a URL (use a pinned download with a checksum)")
        if re.search(r"\bnpm install\b", line):
            problems.append("npm install in an image (npm ci installs exactly the lockfile)")
        if "apt-get install" in line and ("--no-install-recommends" not in line or "rm -rf /var/lib/apt/lists" not in line):
            problems.append(f"apt-get install without --no-install-recommends or without removing the lists: {line[:80]}")
        if re.search(r"pip install(?!.*--no-cache-dir)", line):
            problems.append(f"pip install without --no-cache-dir: {line[:80]}")
    for name, stage in dockerfile_stages(path).items():
        users = [l.split()[1] for l in stage if l.upper().startswith("USER ")]
        if name in server_stages or name == "":
            if not users or users[-1] in ("root", "0"):
                problems.append(f"stage {name or '(final)'} runs as root")
        if name in server_stages and not any(l.upper().startswith("HEALTHCHECK") for l in stage):
            problems.append(f"stage {name} has no HEALTHCHECK")
    report.check(f"dockerfile: {path.relative_to(path.parents[1]) if 'deploy' in path.parts else path.name}", problems)


# --- Kubernetes ----------------------------------------------------------------------------------

def render(root, target):
    out = tool("kustomize", "build", str(root / "deploy" / "k8s" / target))
    if out.returncode != 0:
        return None, out.stderr.strip()
    return [d for d in yaml.safe_load_all(out.stdout) if d], None


def crd_schema(kind):
    got = subprocess.run(["go", "mod", "download", "-json", SPARK_OPERATOR], capture_output=True, text=True, env={**os.environ, "GOFLAGS": "-mod=mod"})
    if got.returncode != 0:
        return None, f"go mod download {SPARK_OPERATOR}: {got.stderr.strip() or got.stdout.strip()}"
    crd = Path(json.loads(got.stdout)["Dir"]) / "config" / "crd" / "bases" / f"sparkoperator.k8s.io_{kind.lower()}s.yaml"
    doc = yaml.safe_load(crd.read_text())
    version = next(v for v in doc["spec"]["versions"] if v["name"] == "v1beta2")
    return version["schema"]["openAPIV3Schema"], None


def strict(schema):
    """The schema with unknown properties refused (as kubectl's strict field validation does)."""
    if isinstance(schema, dict):
        schema = {k: strict(v) for k, v in schema.items()}
        if schema.get("type") == "object" and "properties" in schema and "additionalProperties" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        schema = [strict(s) for s in schema]
    return schema


def pod_spec(obj):
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        return spec["jobTemplate"]["spec"]["template"]["spec"]
    return spec.get("template", {}).get("spec")


def workload_problems(docs):
    problems = []
    for obj in docs:
        spec = pod_spec(obj) if obj["kind"] in ("Deployment", "StatefulSet", "CronJob") else None
        if not spec:
            continue
        for c in spec["containers"]:
            where = f"{obj['kind']}/{obj['metadata']['name']} container {c['name']}"
            if obj["kind"] != "CronJob" and not (c.get("readinessProbe") and c.get("livenessProbe")):
                problems.append(f"{where}: no readiness and liveness probes")
            if not c.get("resources", {}).get("requests") or not c.get("resources", {}).get("limits", {}).get("memory"):
                problems.append(f"{where}: no resource requests and memory limit")
        if spec.get("securityContext", {}).get("runAsNonRoot") is not True:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: pods may run as root (securityContext.runAsNonRoot)")
    api = next((o for o in docs if o["kind"] == "Deployment" and o["metadata"]["name"] == "fitlake-api"), None)
    if api:
        c = api["spec"]["template"]["spec"]["containers"][0]
        if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz" or c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
            problems.append("Deployment/fitlake-api: readiness must probe /readyz and liveness /healthz")
    return problems


def check_k8s(root, report):
    overlays = ["base"] + sorted(f"overlays/{p.name}" for p in (root / "deploy" / "k8s" / "overlays").iterdir() if p.is_dir())
    for target in overlays:
        docs, err = render(root, target)
        if err:
            report.check(f"k8s {target}: kustomize build", [err])
            continue
        custom = [d for d in docs if "." in d["apiVersion"].split("/")[0] and not d["apiVersion"].split("/")[0].endswith("k8s.io") or d["kind"] == "SparkApplication"]
        core = [d for d in docs if d not in custom]
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            yaml.safe_dump_all(core, f)
        out = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", "-k", K8S_VERSION, f.name], capture_output=True, text=True)
        os.unlink(f.name)
        problems = [re.sub(r"^ERROR \S+ did not validate for ", "", line) for line in (out.stdout + out.stderr).splitlines() if line.strip() and "passed for resource" not in line] if out.returncode else []
        problems += [f"{d['kind']}/{d['metadata']['name']}: a Secret in base (keys are never in git)" for d in docs if target == "base" and d["kind"] == "Secret"]
        problems += workload_problems(docs)
        for d in custom:
            schema, err = crd_schema(d["kind"])
            if err:
                problems.append(err)
                continue
            errors = sorted(jsonschema.Draft7Validator(strict(schema)).iter_errors(d), key=lambda e: list(e.path))
            problems += [f"{d['kind']}/{d['metadata']['name']} {'.'.join(map(str, e.path))}: {e.message}" for e in errors]
        report.check(f"k8s {target}: {len(docs)} objects against Kubernetes {K8S_VERSION}'s schemas (strict){' and the SparkApplication against the Spark Operator CRD' if custom else ''}", problems)


# --- Terraform -----------------------------------------------------------------------------------

def named(blocks):
    """(name, body) of labelled HCL blocks, python-hcl2's quoting and markers removed."""
    return [(name.strip('"'), body) for block in blocks for name, body in block.items() if not name.startswith("__")]


def check_terraform(root, report):
    files = sorted(glob.glob(str(root / "infra" / "terraform" / "*.tf")))
    problems, blocks, text = [], {}, ""
    for f in files:
        try:
            with open(f) as fh:
                parsed = hcl2.load(fh)
        except Exception as e:  # noqa: BLE001 (any parse error is the finding)
            problems.append(f"{Path(f).name}: does not parse: {e}")
            continue
        text += Path(f).read_text()
        for kind, items in parsed.items():
            if not kind.startswith("__"):
                blocks.setdefault(kind, []).extend(items)
    variables = dict(named(blocks.get("variable", [])))
    for name, body in variables.items():
        if "type" not in body or not body.get("description"):
            problems.append(f"variable {name}: needs a type and a description")
    used = set(re.findall(r"\bvar\.(\w+)", text))
    problems += [f"var.{v} is used but not declared" for v in sorted(used - variables.keys())]
    problems += [f"variable {v} is declared but never used" for v in sorted(variables.keys() - used)]
    problems += [f"output {name}: needs a description" for name, body in named(blocks.get("output", [])) if not body.get("description")]
    providers = named(rp for t in blocks.get("terraform", []) for rp in t.get("required_providers", []))
    problems += [f"provider {name}: no version constraint" for name, body in providers if not body.get("version")]
    resources = {rtype for rtype, _ in named(blocks.get("resource", []))}
    for needed in ["aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_public_access_block", "aws_s3_bucket_versioning", "aws_iam_role", "databricks_job"]:
        if needed not in resources:
            problems.append(f"no {needed}")
    report.check(f"terraform: {len(files)} files parse; {len(variables)} variables typed, described and used; providers pinned; bucket encrypted, versioned, private, with lifecycle rules", problems)


# --- workflows -----------------------------------------------------------------------------------

def check_workflows(root, report):
    files = sorted(glob.glob(str(root / ".github" / "workflows" / "*.yml")))
    out = tool("actionlint", "-no-color", *files, cwd=root)
    report.check(f"workflows: actionlint on {', '.join(Path(f).name for f in files)}", out.stdout.strip().splitlines() if out.returncode else [])


def main(argv):
    p = argparse.ArgumentParser(prog="validate_deploy.py", description=__doc__.split("\n")[0])
    p.add_argument("--root", type=Path, default=REPO, help="the checkout to validate (default: this one)")
    p.add_argument("--only", default=",".join(CHECKS), help=f"comma-separated subset of {','.join(CHECKS)}")
    args = p.parse_args(argv)
    only = args.only.split(",")
    unknown = [c for c in only if c not in CHECKS]
    if unknown:
        p.error(f"--only: unknown check {', '.join(unknown)} (known: {', '.join(CHECKS)})")
    root = args.root.resolve()
    report = Report()
    if "compose" in only:
        check_compose(root, report)
    if "dockerfile" in only:
        check_dockerfile(root / "Dockerfile", report, {"runtime"})
        for extra in sorted((root / "deploy").glob("*/Dockerfile")):
            check_dockerfile(extra, report, {""})
    if "k8s" in only:
        check_k8s(root, report)
    if "terraform" in only:
        check_terraform(root, report)
    if "workflows" in only:
        check_workflows(root, report)
    if report.failures:
        print(f"validate_deploy: {report.failures} problem(s)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
