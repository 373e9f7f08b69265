#!/usr/bin/python3
"""FundusLens model exporter: turns a released checkpoint into a verified FundusLens bundle.

    /usr/bin/python3 models/export/export.py --family retfound-mae --checkpoint FILE \
        [--head FILE] --labels FILE --out DIR

Runs on Debian's python3-torch 1.13 and python3-onnx (opset 17). Nothing is downloaded.
The bundle format is documented in docs/bundle-format.md.

Exit codes: 0 bundle written and checked, 1 export failed, 2 bad arguments or checkpoint.
"""
import argparse
import csv
import datetime
import hashlib
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vit import HEAD_DIM, ViT  # noqa: E402

SCHEMA = "funduslens-bundle/1"
EXPORTER_VERSION = "0.1.0"
OPSET = 17
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
DEMO_NOTICE = "DEMO \u2014 random weights, not a diagnosis"
FAMILIES = ("retfound-mae",)


class ExportError(Exception):
    """A problem with the user's input: printed as one line, exit code 2."""


# --------------------------------------------------------------------------------------------
# Checkpoint reading
# --------------------------------------------------------------------------------------------

def load_checkpoint(path):
    try:
        return torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - any unpickling problem is the file's problem
        raise ExportError(f"{path}: not a readable PyTorch checkpoint ({e.__class__.__name__}: {e})")


def read_labels(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise ExportError(f"{path}: cannot read the label file ({e.strerror})")
    if not rows or set(rows[0].keys()) != {"code", "name"}:
        raise ExportError(f"{path}: the label file needs exactly the columns code,name")
    labels = [{"code": r["code"].strip(), "name": r["name"].strip()} for r in rows]
    codes = [label["code"] for label in labels]
    if any(not c for c in codes) or len(set(codes)) != len(codes):
        raise ExportError(f"{path}: label codes must be present and unique")
    return labels


def check_keys(state, expected, ignored_prefixes, where):
    keys = set(state.keys())
    missing = sorted(expected - keys)
    unexpected = sorted(k for k in keys - expected if not k.startswith(ignored_prefixes))
    if missing or unexpected:
        raise ExportError(
            f"{where}: the checkpoint does not have the expected keys; "
            f"missing={missing[:12]}{'...' if len(missing) > 12 else ''} "
            f"unexpected={unexpected[:12]}{'...' if len(unexpected) > 12 else ''}")
    ignored = sorted(k for k in keys - expected)
    return ignored


def block_keys(depth, layer_scale=False):
    names = ["norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight",
             "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias",
             "mlp.fc2.weight", "mlp.fc2.bias"]
    if layer_scale:
        names += ["ls1.gamma", "ls2.gamma"]
    return {f"blocks.{i}.{n}" for i in range(depth) for n in names}


def vit_dims(state, where):
    """Depth, width, patch, grid and MLP width from the state dict's shapes."""
    try:
        w = state["patch_embed.proj.weight"]
        dim, _, patch, _ = w.shape
        tokens = state["pos_embed"].shape[1]
        depth = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("blocks."))
        hidden = state["blocks.0.mlp.fc1.weight"].shape[0]
    except (KeyError, ValueError) as e:
        raise ExportError(f"{where}: not a ViT state dict ({e})")
    if dim % HEAD_DIM:
        raise ExportError(f"{where}: width {dim} is not a multiple of the 64-wide heads")
    return int(depth), int(dim), int(patch), int(tokens), int(hidden)


# --------------------------------------------------------------------------------------------
# RETFound (MAE)
# --------------------------------------------------------------------------------------------

class RetfoundMae(nn.Module):
    """RETFound-MAE classifier: mean of the patch tokens -> fc_norm (once or twice) -> head,
    or, for checkpoints fine-tuned with --cls_token, norm(x)[:, 0] -> head."""

    def __init__(self, vit, dim, classes, pooling, fc_norm_twice):
        super().__init__()
        self.vit = vit
        self.pooling = pooling
        self.fc_norm_twice = fc_norm_twice
        if pooling == "mean":
            self.fc_norm = nn.LayerNorm(dim, eps=1e-6)
        else:
            self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward(self, pixel_values):
        x, attn = self.vit.tokens(pixel_values)
        if self.pooling == "mean":
            f = self.fc_norm(x[:, 1:, :].mean(dim=1))
            if self.fc_norm_twice:
                f = self.fc_norm(f)
        else:
            f = self.norm(x)[:, 0]
        return self.head(f), self.vit.cls_attention(attn)


def build_retfound_mae(ckpt, head_file, labels, where):
    if not isinstance(ckpt, dict) or "model" not in ckpt:
        raise ExportError(f"{where}: expected a RETFound checkpoint with a 'model' entry")
    state = dict(ckpt["model"])
    if head_file:
        head = load_checkpoint(head_file)
        if not isinstance(head, dict) or set(head) != {"weight", "bias"}:
            raise ExportError(f"{head_file}: a head file holds exactly 'weight' and 'bias'")
        state["head.weight"], state["head.bias"] = head["weight"], head["bias"]
    depth, dim, patch, tokens, hidden = vit_dims(state, where)
    grid = int(round((tokens - 1) ** 0.5))
    if grid * grid != tokens - 1:
        raise ExportError(f"{where}: pos_embed has {tokens} tokens, not 1 + a square grid")

    pooling = "mean" if "fc_norm.weight" in state else "cls"
    args = ckpt.get("args")
    code_model = getattr(args, "model", None)
    if pooling == "mean":
        if code_model == "RETFound_mae":
            fc_norm_twice = True
        elif code_model in ("vit_large_patch16", None):
            # Checkpoints from the timm-0.3 code (and the 2024 benchmark releases) apply fc_norm once.
            fc_norm_twice = False
        else:
            raise ExportError(f"{where}: unknown args.model '{code_model}'; cannot tell the fc_norm variant")
    else:
        fc_norm_twice = False

    expected = {"cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
                "head.weight", "head.bias"} | block_keys(depth)
    expected |= {"fc_norm.weight", "fc_norm.bias"} if pooling == "mean" else {"norm.weight", "norm.bias"}
    ignored_prefixes = ("mask_token", "decoder_", "norm.") if pooling == "mean" else ("mask_token", "decoder_")
    ignored = check_keys(state, expected, ignored_prefixes, where)

    classes = state["head.weight"].shape[0]
    if classes != len(labels):
        raise ExportError(f"{where}: the head has {classes} classes but the label file lists {len(labels)}")

    vit = ViT(patch, dim, depth, hidden, grid)
    model = RetfoundMae(vit, dim, classes, pooling, fc_norm_twice)
    mapped = {("vit." + k if not k.startswith(("fc_norm.", "head.", "norm.")) else k): v
              for k, v in state.items() if k in expected}
    model.load_state_dict(mapped, strict=True)
    size = grid * patch
    crop_pct = 224 / 256 if size <= 224 else 1.0
    recipe = {
        "size": size,
        "resize": {"mode": "shorter-side", "size": int(size / crop_pct), "interpolation": "bicubic"},
        "crop": {"mode": "center", "size": size},
        "scale": 1 / 255,
        "mean": IMAGENET_MEAN,
        "std": IMAGENET_STD,
    }
    backbone = {"family": "retfound-mae", "architecture": f"vit-{dim}d-{depth}l-p{patch}",
                "patch": patch, "width": dim, "depth": depth, "heads": dim // HEAD_DIM, "registers": 0,
                "grid": grid, "pooling": "patch-mean+fc_norm" + ("x2" if fc_norm_twice else "")
                if pooling == "mean" else "cls+norm"}
    return model, recipe, backbone, ignored


BUILDERS = {"retfound-mae": build_retfound_mae}


# --------------------------------------------------------------------------------------------
# Bundle writing
# --------------------------------------------------------------------------------------------

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(model, size, path):
    dummy = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, dummy, path, opset_version=OPSET, input_names=["pixel_values"],
                      output_names=["logits", "cls_attention"],
                      dynamic_axes={"pixel_values": {0: "batch"}, "logits": {0: "batch"},
                                    "cls_attention": {0: "batch"}},
                      do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path))


def reference_batch(size, seed=20240601):
    """Two smooth, image-like inputs already normalised: what the Java verifier replays."""
    g = torch.Generator().manual_seed(seed)
    low = torch.rand(2, 3, 8, 8, generator=g)
    x = torch.nn.functional.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous()


def write_f32(path, t):
    np.ascontiguousarray(t.detach().numpy().astype("<f4")).tofile(path)


def main(argv=None):
    p = argparse.ArgumentParser(description="Export a retinal foundation model checkpoint to a FundusLens bundle.")
    p.add_argument("--family", required=True, choices=FAMILIES)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--head")
    p.add_argument("--labels", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--id")
    p.add_argument("--name")
    p.add_argument("--demo", action="store_true", help="mark the bundle as a random-weight demo")
    p.add_argument("--licence", default="as released by the checkpoint's authors")
    p.add_argument("--intended-use", default="Decision support for qualified eye-care professionals; not a diagnosis.")
    a = p.parse_args(argv)

    try:
        labels = read_labels(a.labels)
        ckpt = load_checkpoint(a.checkpoint)
        model, recipe, backbone, ignored = BUILDERS[a.family](ckpt, a.head, labels, a.checkpoint)
    except ExportError as e:
        print(f"export: {e}", file=sys.stderr)
        return 2
    if ignored:
        print(f"export: ignoring {len(ignored)} known-unused keys ({', '.join(sorted({k.split('.')[0] for k in ignored}))})",
              file=sys.stderr)

    model.eval()
    torch.manual_seed(0)
    out = os.path.abspath(a.out)
    work = tempfile.mkdtemp(prefix=".export-", dir=os.path.dirname(out) or ".")
    os.chmod(work, 0o755)
    try:
        with torch.no_grad():
            export_onnx(model, recipe["size"], os.path.join(work, "model.onnx"))
            x = reference_batch(recipe["size"])
            logits, cls_attn = model(x)
        os.makedirs(os.path.join(work, "reference"))
        write_f32(os.path.join(work, "reference", "input.f32"), x)
        write_f32(os.path.join(work, "reference", "logits.f32"), logits)
        write_f32(os.path.join(work, "reference", "cls_attention.f32"), cls_attn)
        files = {}
        for rel in ("model.onnx", "reference/input.f32", "reference/logits.f32",
                    "reference/cls_attention.f32"):
            files[rel] = {"sha256": sha256(os.path.join(work, rel)), "bytes": os.path.getsize(os.path.join(work, rel))}
        bundle_id = a.id or f"{a.family}-{os.path.splitext(os.path.basename(a.checkpoint))[0]}"
        manifest = {
            "schema": SCHEMA,
            "id": bundle_id,
            "name": a.name or bundle_id,
            "demo": bool(a.demo),
            "demo_notice": DEMO_NOTICE if a.demo else None,
            "task": "classification",
            "backbone": backbone,
            "labels": labels,
            "input": recipe,
            "outputs": {"logits": "logits", "activation": "softmax", "cls_attention": "cls_attention"},
            "files": files,
            "reference": {
                "input": {"file": "reference/input.f32", "shape": list(x.shape)},
                "outputs": {"logits": {"file": "reference/logits.f32", "shape": list(logits.shape)},
                            "cls_attention": {"file": "reference/cls_attention.f32", "shape": list(cls_attn.shape)}},
                "tolerance": 1e-4,
            },
            "intended_use": a.intended_use,
            "source": {"checkpoint": os.path.basename(a.checkpoint), "checkpoint_sha256": sha256(a.checkpoint),
                       "licence": a.licence},
            "exporter": {"version": EXPORTER_VERSION, "torch": torch.__version__, "opset": OPSET,
                         "created": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()},
        }
        with open(os.path.join(work, "bundle.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2, ensure_ascii=False)
            f.write("\n")
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(work, out)
    except Exception:
        shutil.rmtree(work, ignore_errors=True)
        raise
    print(f"export: wrote {out} ({files['model.onnx']['bytes']} bytes of ONNX, {len(labels)} classes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
