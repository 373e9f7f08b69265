#!/usr/bin/python3
"""FundusLens model exporter: turns a released checkpoint into a verified FundusLens bundle.

    /usr/bin/python3 models/export/export.py --family FAMILY --checkpoint FILE [--head FILE] \
        --labels FILE --out DIR

FAMILY: retfound-mae, retfound-dinov2, dinov2, retizero. Runs on Debian's python3-torch 1.13 and python3-onnx
(opset 17); nothing is downloaded. The bundle format is documented in docs/bundle-format.md, the families in
docs/models.md.

The exporter checks the ONNX graph, stores a reference batch with PyTorch's outputs in the bundle, and (unless
--no-verify) runs FundusLens's own `verify-bundle` on it, so a bundle is only declared good once ONNX Runtime
has reproduced PyTorch's numbers.

Exit codes: 0 bundle written and verified, 1 export or verification failed, 2 bad arguments or checkpoint.
"""
import argparse
import csv
import datetime
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import families  # noqa: E402
from families import ExportError  # noqa: E402

SCHEMA = "funduslens-bundle/1"
EXPORTER_VERSION = "0.2.0"
OPSET = 17
DEMO_NOTICE = "DEMO \u2014 random weights, not a diagnosis"
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


def read_labels(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise ExportError(f"{path}: cannot read the label file ({e.strerror})")
    if not rows or not {"code", "name"} <= set(rows[0].keys()):
        raise ExportError(f"{path}: the label file needs the columns code,name (and optionally description)")
    labels = []
    for r in rows:
        label = {"code": (r.get("code") or "").strip(), "name": (r.get("name") or "").strip()}
        if (r.get("description") or "").strip():
            label["description"] = r["description"].strip()
        labels.append(label)
    codes = [label["code"] for label in labels]
    if any(not c for c in codes) or any(not label["name"] for label in labels) or len(set(codes)) != len(codes):
        raise ExportError(f"{path}: label codes and names must be present and codes unique")
    return labels


BUILDERS = {
    "retfound-mae": families.build_retfound_mae,
    "retfound-dinov2": families.build_retfound_dinov2,
    "dinov2": families.build_dinov2,
}


def builder(family):
    if family == "retizero":
        import retizero
        return retizero.build_retizero
    return BUILDERS[family]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(module, size, outputs, path):
    dummy = torch.zeros(1, 3, size, size)
    axes = {"pixel_values": {0: "batch"}}
    axes.update({name: {0: "batch"} for name in outputs})
    torch.onnx.export(module, dummy, path, opset_version=OPSET, input_names=["pixel_values"], output_names=outputs,
                      dynamic_axes=axes, do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path))


def reference_batch(size, mean, std, seed=20240601):
    """Two smooth, image-like inputs already normalised: what the Java verifier replays."""
    g = torch.Generator().manual_seed(seed)
    low = torch.rand(2, 3, 8, 8, generator=g)
    x = torch.nn.functional.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
    m = torch.tensor(mean).view(1, 3, 1, 1)
    s = torch.tensor(std).view(1, 3, 1, 1)
    return ((x - m) / s).contiguous()


def write_f32(path, t):
    np.ascontiguousarray(t.detach().numpy().astype("<f4")).tofile(path)


def find_jar():
    jar = os.path.join(REPO, "target", "funduslens.jar")
    return jar if os.path.isfile(jar) else None


def find_java():
    """A Java 21+ for verify-bundle: $JAVA_HOME, then the newest JDK under /usr/lib/jvm."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    candidates += sorted(glob.glob("/usr/lib/jvm/*/bin/java"), reverse=True)
    for java in candidates:
        try:
            out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
            version = out.split('"')[1] if '"' in out else "0"
            if int(version.split(".")[0]) >= 21:
                return java
        except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
            continue
    return None


def verify_with_funduslens(bundle_dir):
    """Runs `verify-bundle` from the built jar; returns (ok, output). (None, why) when it cannot run."""
    jar, java = find_jar(), find_java()
    if not jar or not java:
        return None, "FundusLens is not built (target/funduslens.jar) or no Java 21+ was found"
    p = subprocess.run([java, "-Dai.djl.offline=true", "-jar", jar, "verify-bundle", "--cpu", bundle_dir],
                       capture_output=True, text=True)
    return p.returncode == 0, (p.stdout + p.stderr).strip()


def main(argv=None):
    p = argparse.ArgumentParser(description="Export a retinal foundation model checkpoint to a FundusLens bundle.")
    p.add_argument("--family", required=True, choices=sorted(list(BUILDERS) + ["retizero"]))
    p.add_argument("--checkpoint", required=True, help="the checkpoint file as released (or fine-tuned upstream)")
    p.add_argument("--head", help="a classification head: a file with 'weight' and 'bias' tensors")
    p.add_argument("--labels", required=True, help="CSV with columns code,name[,description], in the head's order")
    p.add_argument("--out", required=True, help="the bundle folder to write (replaced if it exists)")
    p.add_argument("--vocab", help="retizero: the Bio_ClinicalBERT vocab.txt")
    p.add_argument("--fc-norm", choices=["single", "double"],
                   help="retfound-mae: how often fc_norm is applied, when checkpoint['args'].model does not say")
    p.add_argument("--cls-token", action="store_true", help="retfound-mae: the head reads norm(x)[:, 0] (--cls_token)")
    p.add_argument("--id")
    p.add_argument("--name")
    p.add_argument("--demo", action="store_true", help="mark the bundle as a random-weight demo")
    p.add_argument("--licence", default="as released by the checkpoint's authors; see docs/models.md")
    p.add_argument("--intended-use", default="Decision support for qualified eye-care professionals; not a diagnosis.")
    p.add_argument("--no-verify", action="store_true", help="skip the ONNX Runtime check with verify-bundle")
    a = p.parse_args(argv)

    options = {"fc_norm": a.fc_norm, "cls_token": a.cls_token, "vocab": a.vocab}
    try:
        labels = read_labels(a.labels)
        ckpt = families.load_torch(a.checkpoint)
        exp = builder(a.family)(ckpt, a.head, labels, a.checkpoint, options)
    except ExportError as e:
        print(f"export: {e}", file=sys.stderr)
        return 2
    if exp.ignored:
        groups = sorted({k.split(".")[0] for k in exp.ignored})
        print(f"export: ignoring {len(exp.ignored)} known-unused keys ({', '.join(groups)})", file=sys.stderr)

    exp.module.eval()
    out = os.path.abspath(a.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    work = tempfile.mkdtemp(prefix=".export-", dir=os.path.dirname(out))
    os.chmod(work, 0o755)
    try:
        recipe = exp.recipe
        with torch.no_grad():
            export_onnx(exp.module, recipe["size"], exp.outputs, os.path.join(work, "model.onnx"))
            x = reference_batch(recipe["size"], recipe["mean"], recipe["std"])
            ys = exp.module(x)
        os.makedirs(os.path.join(work, "reference"))
        write_f32(os.path.join(work, "reference", "input.f32"), x)
        ref_outputs = {}
        for name, y in zip(exp.outputs, ys):
            write_f32(os.path.join(work, "reference", f"{name}.f32"), y)
            ref_outputs[name] = {"file": f"reference/{name}.f32", "shape": list(y.shape)}
        for rel, writer in exp.extra_files.items():
            os.makedirs(os.path.dirname(os.path.join(work, rel)) or work, exist_ok=True)
            writer(os.path.join(work, rel))
        files = {}
        for root, _, names in os.walk(work):
            for n in sorted(names):
                full = os.path.join(root, n)
                rel = os.path.relpath(full, work).replace(os.sep, "/")
                files[rel] = {"sha256": sha256(full), "bytes": os.path.getsize(full)}
        bundle_id = a.id or f"{a.family}-{os.path.splitext(os.path.basename(a.checkpoint))[0]}".lower()
        outputs = {"logits": "logits", "activation": "softmax", "cls_attention": "cls_attention"}
        if "patch_logits" in exp.outputs:
            outputs["patch_logits"] = "patch_logits"
        if "embedding" in exp.outputs:
            outputs["embedding"] = "embedding"
        manifest = {
            "schema": SCHEMA,
            "id": bundle_id,
            "name": a.name or bundle_id,
            "demo": bool(a.demo),
            "demo_notice": DEMO_NOTICE if a.demo else None,
            "task": exp.task,
            "backbone": exp.backbone,
            "labels": labels,
            "input": recipe,
            "outputs": outputs,
            "heatmaps": exp.heatmaps,
            "files": files,
            "reference": {"input": {"file": "reference/input.f32", "shape": list(x.shape)},
                          "outputs": ref_outputs, "tolerance": 1e-4, "relative_tolerance": 1e-3},
            "intended_use": a.intended_use,
            "source": {"checkpoint": os.path.basename(a.checkpoint), "checkpoint_sha256": sha256(a.checkpoint),
                       "head": os.path.basename(a.head) if a.head else None,
                       "head_sha256": sha256(a.head) if a.head else None, "licence": a.licence},
            "exporter": {"version": EXPORTER_VERSION, "torch": torch.__version__, "opset": OPSET,
                         "created": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()},
        }
        manifest.update(exp.extra_manifest)
        with open(os.path.join(work, "bundle.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2, ensure_ascii=False)
            f.write("\n")
        if not a.no_verify:
            ok, report = verify_with_funduslens(work)
            if ok is None:
                print(f"export: cannot verify with ONNX Runtime: {report}; build FundusLens first "
                      f"(./jdk mvn -B -q -DskipTests package) or pass --no-verify", file=sys.stderr)
                shutil.rmtree(work, ignore_errors=True)
                return 1
            print("\n".join("  " + line for line in report.splitlines()), file=sys.stderr)
            if not ok:
                print("export: ONNX Runtime does not reproduce PyTorch's outputs; no bundle written", file=sys.stderr)
                shutil.rmtree(work, ignore_errors=True)
                return 1
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(work, out)
    except Exception:
        shutil.rmtree(work, ignore_errors=True)
        raise
    print(f"export: wrote {out} ({files['model.onnx']['bytes']} bytes of ONNX, {len(labels)} labels, "
          f"outputs {', '.join(exp.outputs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
